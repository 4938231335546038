/** Requests that once ended the daemon (exit 1), sent to a real one with an operator token configured. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";
import { freePort } from "../fixtures/ports.js";
import { waitFor } from "../fixtures/wait.js";

const dir = mkdtempSync(path.join(tmpdir(), "leadlag-daemon-ingress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (port: number) => `
mode: live
runtime:
  db_path: ${path.join(dir, "db")}
  journal: { path: ${path.join(dir, "journal.log")} }
  control: { token: "\${LEADLAG_TEST_TOKEN}" }
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

/** Sends raw bytes and resolves with the status line's code once the server answers or closes. */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(0));
  });
}

describe("daemon ingress", () => {
  it("answers `//`, a bad percent-encoding and a 10 MB body, and keeps running; no market data is 503", async () => {
    const port = await freePort();
    const file = path.join(dir, "config.yaml");
    writeFileSync(file, config(port));
    const child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), "run", file], {
      stdio: "ignore",
      env: { ...process.env, LEADLAG_TEST_TOKEN: "s3cret" },
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve((exitCode = code))));
    // Up = /health answers (this config has no market data, so it rightly answers 503: degraded).
    const answers = async () => {
      try {
        return [200, 503].includes((await fetch(`http://127.0.0.1:${port}/health`)).status);
      } catch {
        return false;
      }
    };
    try {
      const until = Date.now() + 15_000;
      while (!(await answers())) {
        if (Date.now() > until || exitCode !== undefined)
          throw new Error(`daemon never answered /health (exit ${exitCode})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // No market data within reject_on_stale_data_ms: trading_core's shape says where, and the answer is 503.
      const health = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        return { code: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      let stale = await health();
      for (const staleBy = Date.now() + 30_000; Date.now() < staleBy; stale = await health()) {
        // (the order manager holds its messages, execution degraded, until its database has opened)
        const { market_data, execution } = stale.body.subsystems as Record<string, string>;
        if (market_data === "degraded" && execution === "ready") break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stale.code).toBe(503);
      expect(stale.body).toMatchObject({
        status: "degraded",
        subsystems: { market_data: "degraded", execution: "ready", strategies: "ready" },
        state: "degraded",
      });
      expect(stale.body.reasons).toEqual(
        expect.arrayContaining([expect.stringMatching(/^feed: .*no market data yet$/)]),
      );
      expect(await rawStatus(port, "GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toBe(404);
      const auth = "Authorization: Bearer s3cret\r\n";
      expect(
        await rawStatus(
          port,
          `POST /control/actors/%ZZ/restart HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 0\r\n\r\n`,
        ),
      ).toBe(400);
      expect(
        await rawStatus(
          port,
          `POST /risk/reset HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: ${10 * 1024 * 1024}\r\n\r\n`,
        ),
      ).toBe(413);
      await new Promise((r) => setTimeout(r, 200)); // time for an exit, had one of them been fatal
      expect(exitCode).toBeUndefined();
      expect(await answers()).toBe(true);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (exitCode === undefined) child.kill("SIGKILL");
      await waitFor(() => exitCode !== undefined, 5000);
    }
  });
});
