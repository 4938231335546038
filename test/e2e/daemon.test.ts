import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import net from "node:net";
import { fromRoot } from "../../src/runtime/paths.js";

const bin = fromRoot("bin", "leadlag.js");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function writeConfig(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "leadlag-e2e-"));
  const file = path.join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}

function daemon(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: fromRoot(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForHealth(port: number, timeoutMs = 15_000): Promise<{ status: number; body: Record<string, unknown> }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return { status: res.status, body };
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error("daemon never became healthy");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const minimalConfig = (port: number) => `
mode: live
market_data: { provider: zmq, port: 25556, books_port: 25557 }
execution: { provider: paper, mode: paper }
strategies:
  - name: ll
    type: leadlag
    config: { symbols: [BTC-USDT-PERP, ETH-USDT-PERP] }
observability:
  logging: { level: warn }
  health_server: { host: 127.0.0.1, port: ${port} }
`;

let running: ChildProcess | undefined;
afterEach(() => {
  running?.kill("SIGKILL");
  running = undefined;
});

describe("daemon", () => {
  it("becomes healthy, serves metrics and control, and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const d = daemon(["run", writeConfig(minimalConfig(port))]);
    running = d.child;
    const health = await waitForHealth(port);
    expect(health.body.status).toBe("ok");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain("leadlag_process_cpu_seconds_total");
    const actors = (await (await fetch(`http://127.0.0.1:${port}/control/actors`)).json()) as { actors: unknown[] };
    expect(Array.isArray(actors.actors)).toBe(true);
    const crash = await fetch(`http://127.0.0.1:${port}/control/actors/nobody/crash`, { method: "POST" });
    expect(crash.status).toBe(404);
    d.child.kill("SIGTERM");
    expect(await d.exited).toBe(0);
  });

  it("exits 2 with every config error listed and starts nothing", async () => {
    const bad = writeConfig("mode: sideways\nruntime: { supervisor: { intensity: -1 } }\nobservability: { health_server: { port: 99999 } }\n");
    const d = daemon(["run", bad]);
    expect(await d.exited).toBe(2);
    expect(d.output()).toMatch(/mode/);
    expect(d.output()).toMatch(/runtime\.supervisor\.intensity/);
    expect(d.output()).toMatch(/observability\.health_server\.port/);
  });

  it("exits 2 naming the port when the health port is taken", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((r) => blocker.listen(0, "127.0.0.1", () => r((blocker.address() as net.AddressInfo).port)));
    try {
      const d = daemon(["run", writeConfig(minimalConfig(port))]);
      expect(await d.exited).toBe(2);
      expect(d.output()).toContain(`port ${port}`);
    } finally {
      blocker.close();
    }
  });
});
