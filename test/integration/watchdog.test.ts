import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromRoot } from "../../src/runtime/paths.js";

/**
 * The main-thread watchdog in a process of its own (it kills the process it runs in): the test's
 * "main thread" blocks its event loop with a busy wait, as a handler stuck in a loop would.
 */
type Step = "arm" | "stop" | `block ${number}`;

type Run = { code: number | null; signal: NodeJS.Signals | null; output: string };

async function runScript(steps: readonly Step[]): Promise<Run> {
  const watchdogUrl = new URL(`file://${fromRoot("dist", "src", "supervisor", "watchdog.js")}`).href;
  const loggerUrl = new URL(`file://${fromRoot("dist", "src", "runtime", "logger.js")}`).href;
  const doorbellUrl = new URL(`file://${fromRoot("dist", "src", "transport", "doorbell.js")}`).href;
  const script = `
    const { MainThreadWatchdog } = await import(${JSON.stringify(watchdogUrl)});
    const { createLogger } = await import(${JSON.stringify(loggerUrl)});
    const { createDoorbell, Doorbell } = await import(${JSON.stringify(doorbellUrl)});
    const bell = createDoorbell();
    new Doorbell(bell).setCurrentActor(1);
    const watchdog = new MainThreadWatchdog({
      stallMs: 500, mainDoorbell: bell, actors: ["feed", "strategy"], logLevel: "info", log: createLogger("info"),
    });
    // Let the watchdog thread boot before the loop blocks, as a daemon's start-up does.
    const settle = () => new Promise((r) => setTimeout(r, 300));
    for (const step of ${JSON.stringify(steps)}) {
      if (step === "arm") { watchdog.arm(); await settle(); }
      else if (step === "stop") watchdog.stop();
      else { const until = Date.now() + Number(step.split(" ")[1]); while (Date.now() < until); }
    }
    process.stdout.write("survived\\n");
    process.exit(0);
  `;
  // A file, not `-e`: worker threads inherit the process's flags, and `--input-type` is refused in one.
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-watchdog-"));
  const file = path.join(dir, "main.mjs");
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  try {
    return await new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, output })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fatalLines = (output: string) =>
  output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.level === 60);

describe("main-thread watchdog", () => {
  it("kills a process whose main thread is blocked past stall_ms, naming the actor in a handler", async () => {
    const run = await runScript(["arm", "block 20000"]);
    expect(run.signal).toBe("SIGKILL");
    expect(run.output).not.toContain("survived");
    const [fatal] = fatalLines(run.output);
    expect(fatal).toMatchObject({ thread: "watchdog", actor: "strategy", stallMs: 500 });
    expect(fatal.stalledMs as number).toBeGreaterThanOrEqual(500);
  });

  it("lets a pause below the threshold pass (a long GC)", async () => {
    const run = await runScript(["arm", "block 200", "block 200"]);
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.output).toContain("survived");
  });

  it("does not fire before it is armed (start-up) or after it is stopped (shutdown)", async () => {
    const run = await runScript(["block 1500", "arm", "stop", "block 1500"]);
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(fatalLines(run.output)).toEqual([]);
  });
});
