import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";
import { feedPublisher } from "../../bench/feed-publishers.js";

/**
 * `bench feed`'s native publisher builds from a fresh clone with what `.ci/run` installs (gcc, libzmq3-dev),
 * and the benchmark then uses it rather than the Node fallback.
 */
describe("bench feed's native publisher", () => {
  it("compiles from bench/native/marketstream-pub.c into an empty directory", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-native-pub-"));
    try {
      const binary = path.join(dir, "marketstream-pub");
      const cc = process.env.CC ?? "cc";
      const run = spawnSync(cc, ["-O2", "-o", binary, fromRoot("bench/native/marketstream-pub.c"), "-lzmq"], {
        encoding: "utf8",
      });
      expect(run.stderr, `${cc} failed (.ci/run installs gcc and libzmq3-dev)`).toBe("");
      expect(run.status).toBe(0);
      expect(existsSync(binary)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is the publisher bench feed uses, with no fallback reason", () => {
    const publisher = feedPublisher();
    expect(publisher.fallbackReason).toBeUndefined();
    expect(publisher.kind).toBe("native");
    const [command, args] = publisher.command("trades.csv", 1, 2, 0);
    expect(path.basename(command)).toMatch(/^leadlag-marketstream-pub-[0-9a-f]{12}$/);
    expect(args).toEqual(["trades.csv", "1", "2", "0"]);
  });
});
