import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compiledUrl } from "../../src/runtime/paths.js";
import type { LogOptions } from "../../src/runtime/logger.js";

const loggerUrl = compiledUrl(new URL("../../src/runtime/logger.ts", import.meta.url)).href;

/**
 * Runs a process that logs `lines` info lines (and one from a worker thread) through `createLogger`;
 * returns its stdout. A child process, because the logger writes to fd 1 itself.
 */
function logInChild(options: LogOptions, lines: number): string {
  const script = `
    import { Worker } from "node:worker_threads";
    import { createLogger, closeLogFiles } from ${JSON.stringify(loggerUrl)};
    const options = JSON.parse(process.argv[1]);
    const log = createLogger(options);
    for (let i = 0; i < ${lines}; i++) log.info({ i, pad: "x".repeat(40) }, "line");
    const worker = new Worker(
      'import { createLogger } from ${JSON.stringify(loggerUrl)};' +
      'createLogger({ level: "info", structured: ' + (options.structured !== false) + ', forwardToFile: true })' +
      '.info("from worker");',
      { eval: true },
    );
    await new Promise((resolve) => worker.on("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closeLogFiles();
  `;
  return execFileSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(options)], {
    encoding: "utf8",
  });
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { msg: string; i?: number });

describe("log output", () => {
  it("writes JSON lines to stdout when structured", () => {
    const out = jsonLines(logInChild({ level: "info", structured: true }, 3));
    expect(out.map((l) => l.msg)).toEqual(["line", "line", "line", "from worker"]);
    expect(out[2].i).toBe(2);
  });

  it("writes human-readable lines (pino-pretty) when not structured", () => {
    const out = logInChild({ level: "info", structured: false }, 2).trim().split("\n");
    expect(out[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): line$/);
    expect(out[1]).toMatch(/^\s+i: 0$/);
    expect(out.some((l) => /INFO \(\d+\): from worker$/.test(l))).toBe(true);
    expect(() => JSON.parse(out[0])).toThrow();
  });

  it("also writes every line to the log file, worker threads' included, as JSON", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadlag-log-")), "logs", "trading.log");
    logInChild({ level: "info", structured: false, file: { path: file, maxSizeMb: 10, maxFiles: 2 } }, 5);
    const lines = jsonLines(readFileSync(file, "utf8"));
    expect(lines.map((l) => l.i)).toEqual([0, 1, 2, 3, 4, undefined]);
    expect(lines[5].msg).toBe("from worker");
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it("rotates the file past max_size_mb and keeps max_files rotated files", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "leadlag-log-")), "trading.log");
    const maxBytes = 2000;
    logInChild({ level: "info", file: { path: file, maxSizeMb: maxBytes / 1024 / 1024, maxFiles: 2 } }, 100);
    const kept = [`${file}.2`, `${file}.1`, file];
    for (const f of kept) expect(existsSync(f)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    for (const rotated of kept.slice(0, 2)) {
      const size = statSync(rotated).size;
      expect(size).toBeGreaterThanOrEqual(maxBytes);
      expect(size).toBeLessThan(maxBytes + 200); // rotated at the first line past the size
    }
    // The newest lines survive, in order, across the kept files.
    const numbers = kept.flatMap((f) => jsonLines(readFileSync(f, "utf8")).map((l) => l.i));
    expect(numbers.at(-1)).toBeUndefined(); // the worker's line, last
    const logged = numbers.slice(0, -1) as number[];
    expect(logged.at(-1)).toBe(99);
    expect(logged).toEqual(logged.map((_, k) => logged[0] + k));
  });
});
