/**
 * The feed benchmark's publisher process. marketstream is a native program; a Node publisher needs most
 * of a core to send 150 k msgs/s, which on a 2-core machine it takes from the subscriber being measured.
 * So the benchmark builds bench/native/marketstream-pub.c when it can (a C compiler and libzmq's headers:
 * `apt install gcc libzmq3-dev`) and falls back to bench/feed-publisher.ts otherwise, saying which it used.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compiledUrl, fromRoot } from "../src/runtime/paths.js";

export interface FeedPublisher {
  readonly kind: "native" | "node";
  /** Why the native publisher is not used, when it is not. */
  readonly fallbackReason?: string;
  /** Command and arguments publishing `file`; `ratePerS` paces it (native only), 0 = as fast as possible. */
  command(file: string, tradesPort: number, booksPort: number, ratePerS: number): [string, string[]];
}

/** The native publisher, compiled once per source version into the temp directory; else the Node one. */
export function feedPublisher(): FeedPublisher {
  const source = fromRoot("bench/native/marketstream-pub.c");
  const binary = path.join(
    tmpdir(),
    `leadlag-marketstream-pub-${createHash("sha1").update(readFileSync(source)).digest("hex").slice(0, 12)}`,
  );
  try {
    if (!existsSync(binary))
      execFileSync(process.env.CC ?? "cc", ["-O2", "-o", binary, source, "-lzmq"], {
        stdio: ["ignore", "ignore", "pipe"],
      });
    return {
      kind: "native",
      command: (file, trades, books, rate) => [binary, [file, String(trades), String(books), String(rate)]],
    };
  } catch (err) {
    const output = (err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message;
    const reason = `cannot build ${source}: ${output.split("\n")[0]}`;
    const script = fileURLToPath(compiledUrl(new URL("./feed-publisher.ts", import.meta.url)));
    return {
      kind: "node",
      fallbackReason: reason,
      command: (file, trades, books) => [process.execPath, [script, file, String(trades), String(books)]],
    };
  }
}
