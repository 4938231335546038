/**
 * The documented end of a crash storm: with the default restart intensity (10 in 60 s) the 11th crash
 * stops the daemon with exit 70, for systemd to start it again. Backoff is shortened so the storm is quick;
 * it does not change how many restarts are allowed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { waitFor } from "../fixtures/wait.js";

const dir = mkdtempSync(path.join(tmpdir(), "leadlag-crash-storm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (port: number) => `
mode: live
runtime:
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { fault_injection: true }
  supervisor: { backoff_initial_ms: 1, backoff_max_ms: 1 }
market_data: { provider: zmq, port: 25556, books_port: 25557 }
execution: { provider: paper, mode: paper }
strategies:
  - name: ll
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP], decision_scores_csv_path: ${path.join(dir, "decisions.csv")} }
observability:
  logging: { level: error }
  health_server: { host: 127.0.0.1, port: ${port} }
`;

interface Actor {
  name: string;
  state: string;
  restarts: number;
}

describe("crash storm", () => {
  it("survives ten crashes within the period and exits 70 on the eleventh", async () => {
    const port = await freePort();
    const file = path.join(dir, "config.yaml");
    writeFileSync(file, config(port));
    const child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), "run", file], { stdio: "ignore" });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve((exitCode = code))));
    try {
      const strategy = async (): Promise<Actor | undefined> => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/control/actors`);
          return ((await res.json()) as { actors: Actor[] }).actors.find((a) => a.name === "strategy");
        } catch {
          return undefined; // not listening yet, or gone
        }
      };
      const running = async (restarts: number) => {
        const until = Date.now() + 15_000;
        for (;;) {
          const s = await strategy();
          if (s?.state === "running" && s.restarts === restarts) return;
          if (Date.now() > until || exitCode !== undefined)
            throw new Error(`strategy not running after ${restarts} restarts (exit ${exitCode})`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await running(0);
      for (let crash = 1; crash <= 10; crash++) {
        expect((await fetch(`http://127.0.0.1:${port}/control/actors/strategy/crash`, { method: "POST" })).status).toBe(
          202,
        );
        await running(crash);
      }
      expect(exitCode).toBeUndefined();
      await fetch(`http://127.0.0.1:${port}/control/actors/strategy/crash`, { method: "POST" });
      expect(await exited).toBe(70);
    } finally {
      if (exitCode === undefined) child.kill("SIGKILL");
      await waitFor(() => exitCode !== undefined, 5000);
    }
  });
});
