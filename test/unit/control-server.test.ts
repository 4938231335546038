import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ControlServer, type HealthStatus } from "../../src/supervisor/http.js";

let server: ControlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  token?: string,
  host = "127.0.0.1",
): Promise<{ server: ControlServer; base: string; set: (s: HealthStatus) => void }> {
  let status: HealthStatus = "ok";
  const s = new ControlServer({ host, port: 0, token, log: pino({ level: "silent" }) });
  s.health("feed", () => ({ status, stale: status !== "ok" }));
  s.route("GET", "/health", () => {
    const report = s.healthReport();
    return { status: report.status === "ok" ? 200 : 503, body: report };
  });
  s.route("POST", "/risk/reset", () => ({ status: 202, body: { reset: true } }));
  const { port } = await s.listen();
  server = s;
  return { server: s, base: `http://${host}:${port}`, set: (next) => (status = next) };
}

describe("control server", () => {
  it("answers 200 while every subsystem is ok and 503 with the worst status otherwise", async () => {
    const { base, set } = await start();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    set("degraded");
    const degraded = await fetch(`${base}/health`);
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({
      status: "degraded",
      subsystems: { feed: { status: "degraded", stale: true } },
    });
    set("down");
    expect(((await (await fetch(`${base}/health`)).json()) as { status: string }).status).toBe("down");
  });

  it("answers 404 for an unknown path and 405 for a known path with the wrong method", async () => {
    const { base } = await start();
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: "POST" })).status).toBe(405);
  });

  it("requires the bearer token on operator routes when a token is set", async () => {
    const { base } = await start("s3cret");
    expect((await fetch(`${base}/risk/reset`, { method: "POST" })).status).toBe(401);
    expect(
      (await fetch(`${base}/risk/reset`, { method: "POST", headers: { authorization: "Bearer wrong!" } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${base}/risk/reset`, { method: "POST", headers: { authorization: "Bearer s3cret" } })).status,
    ).toBe(202);
  });

  it("refuses to bind off loopback without a token", () => {
    expect(
      () => new ControlServer({ host: "0.0.0.0", port: 0, token: undefined, log: pino({ level: "silent" }) }),
    ).toThrow(/without runtime.control.token/);
  });
});
