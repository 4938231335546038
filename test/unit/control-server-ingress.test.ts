/**
 * Hostile requests against a real listening ControlServer. Malformed requests go through raw sockets,
 * since fetch would normalise or refuse them before they reach the server.
 */
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ControlServer, type HttpLimits } from "../../src/supervisor/http.js";

const TOKEN = "s3cret";
const AUTH = `Authorization: Bearer ${TOKEN}\r\n`;

let server: ControlServer | undefined;
let port = 0;
let restarted: string[] = [];
let received: unknown[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  process.on("unhandledRejection", onUnhandled);
  restarted = [];
  received = [];
  unhandled.length = 0;
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  process.off("unhandledRejection", onUnhandled);
});

async function start(options: { token?: string; limits?: Partial<HttpLimits> } = {}): Promise<void> {
  const s = new ControlServer({
    host: "127.0.0.1",
    port: 0,
    token: options.token,
    log: pino({ level: "silent" }),
    limits: options.limits,
  });
  s.route("GET", "/health", () => ({ status: 200, body: { status: "ok" } }));
  s.route(
    "POST",
    "/control/actors/{name}/restart",
    ({ params }) => (restarted.push(params.name), { status: 202, body: { restarting: params.name } }),
  );
  s.route("POST", "/echo", ({ body }) => (received.push(body), { status: 200, body: { got: body ?? null } }));
  s.route("GET", "/boom", () => {
    throw new Error("handler bug");
  });
  s.route("GET", "/bad-status", () => ({ status: 9999, body: {} }));
  s.route("GET", "/unserialisable", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    return { status: 200, body: cyclic };
  });
  port = (await s.listen()).port;
  server = s;
}

interface RawResponse {
  status: number;
  text: string;
  /** The server closed the connection. */
  closed: boolean;
}

/** Writes the head and `bodyBytes` before reading anything, as a naive client does; what it then reads. */
function uploadThenRead(head: string, bodyBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.pause();
    let text = "";
    let writeError = "";
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    socket.on("error", (err: NodeJS.ErrnoException) => (writeError ||= err.code ?? err.message));
    socket.on("close", () => resolve(text || `nothing read (${writeError})`));
    socket.on("connect", async () => {
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, "x");
      for (let left = bodyBytes; left > 0 && !socket.destroyed; left -= chunk.length) {
        if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r).once("close", r));
      }
      socket.resume();
    });
  });
}

/**
 * Writes `head` (and `body` chunks, while the server keeps the socket open) and reads until the
 * server closes or `idleMs` pass without data after a complete response.
 */
function raw(
  head: string,
  body: { chunk: Buffer; times: number } | undefined = undefined,
  idleMs = 300,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | undefined;
    let closed = false;
    const finish = () => {
      clearTimeout(idle);
      clearTimeout(giveUp);
      const text = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      socket.destroy();
      resolve({ status, text, closed });
    };
    const giveUp = setTimeout(() => {
      socket.destroy();
      const got = Buffer.concat(chunks).toString("latin1").slice(0, 200);
      reject(new Error(`no complete answer to ${JSON.stringify(head.split("\r\n")[0])}: ${got}`));
    }, 5000);
    socket.on("data", (d) => {
      chunks.push(d);
      clearTimeout(idle);
      idle = setTimeout(finish, idleMs);
    });
    socket.on("error", () => undefined); // a reset while we still write is how a refused body ends
    socket.on("close", () => {
      closed = true;
      if (chunks.length > 0) finish();
    });
    socket.on("connect", () => {
      socket.write(head);
      if (body === undefined) return;
      let sent = 0;
      const pump = () => {
        while (sent < body.times && !socket.destroyed) {
          sent++;
          if (!socket.write(body.chunk)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  });
}

async function stillServing(): Promise<void> {
  const answer = await raw("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  expect(answer.status).toBe(200);
  expect(unhandled).toEqual([]);
}

describe("control server ingress: one request cannot stop it", () => {
  it("answers 404 to an empty-segment path (`//`) instead of throwing while parsing it", async () => {
    await start({ token: TOKEN });
    expect((await raw("GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status).toBe(404);
    expect((await raw("GET //health?x=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status).toBe(404);
    await stillServing();
  });

  it("answers 400 to bad percent-encoding in a path parameter, with or without the token", async () => {
    await start({ token: TOKEN });
    const withToken = await raw(
      `POST /control/actors/%ZZ/restart HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    expect(withToken.status).toBe(400);
    expect(withToken.text).toContain("percent-encoding");
    const without = await raw(
      "POST /control/actors/%E0%A4%A/restart HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    expect(without.status).toBe(400);
    expect(restarted).toEqual([]);
    await stillServing();
  });

  it("decodes a well-formed parameter and accepts the absolute form of a request target", async () => {
    await start({ token: TOKEN });
    const target = "/control/actors/estimator%2D0/restart";
    const ok = await raw(`POST ${target} HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    expect(ok.status).toBe(202);
    expect(restarted).toEqual(["estimator-0"]);
    expect((await raw("GET http://x/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status).toBe(200);
    expect((await raw("GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status).toBe(400);
  });

  it("keeps 404, 405 and 401 for unknown paths, wrong methods and missing tokens", async () => {
    await start({ token: TOKEN });
    expect((await raw("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status).toBe(404);
    expect((await raw("DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).status).toBe(405);
    const noToken = await raw(
      "POST /control/actors/feed/restart HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    expect(noToken.status).toBe(401);
    expect(restarted).toEqual([]);
  });

  it("answers 413 from a Content-Length over the limit without waiting for the body, and closes", async () => {
    // The announced body is never sent: the wait for it to be thrown away ends at discardMaxMs.
    await start({ limits: { maxBodyBytes: 1024, discardMaxMs: 100 } });
    // Ten megabytes announced, none sent: the answer must not depend on reading them.
    const answer = await raw(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
    expect(received).toEqual([]);
    await stillServing();
  });

  it("answers 413 to a chunked body once it passes the limit, and stops reading it", async () => {
    await start({ limits: { maxBodyBytes: 64 * 1024 } });
    const chunk = Buffer.from(`4000\r\n${"x".repeat(0x4000)}\r\n`);
    // 10 MB offered in 16 KiB chunks; the server must cut the connection long before taking them all.
    const answer = await raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", {
      chunk,
      times: 640,
    });
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
    expect(received).toEqual([]);
    await stillServing();
  });

  it("answers 413 to a client that sends its whole 10 MB body before it reads the answer", async () => {
    await start({ limits: { maxBodyBytes: 1024 } });
    const body = 10 * 1024 * 1024;
    const head = `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body}\r\nConnection: close\r\n\r\n`;
    expect(await uploadThenRead(head, body)).toMatch(/^HTTP\/1\.1 413 /);
    expect(received).toEqual([]);
    await stillServing();
  });

  it("cuts a refused announced body larger than it will throw away, after answering 413", async () => {
    await start({ limits: { maxBodyBytes: 1024, discardMaxBytes: 1024 * 1024 } });
    const answer = await raw(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`);
    expect(answer.status).toBe(413);
    expect(answer.closed).toBe(true);
    await stillServing();
  });

  it("answers 400 to a body that is not JSON, and passes JSON through", async () => {
    await start();
    const bad = await raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{nope");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("JSON");
    expect(received).toEqual([]);
    const good = await raw('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"a": 1}');
    expect(good.status).toBe(200);
    expect(received).toEqual([{ a: 1 }]);
  });

  it("answers 500 when a handler throws, returns an invalid status or an unserialisable body", async () => {
    await start();
    for (const path of ["/boom", "/bad-status", "/unserialisable"]) {
      expect((await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).status).toBe(500);
    }
    await stillServing();
  });

  it("refuses headers over the size limit (431) and a malformed request line (400)", async () => {
    await start();
    const big = await raw(
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(10 * 1024)}\r\nConnection: close\r\n\r\n`,
    );
    expect(big.status).toBe(431);
    expect((await raw("THIS IS NOT HTTP\r\n\r\n")).status).toBe(400);
    expect((await raw("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")).status).toBe(400);
    await stillServing();
  });

  it("closes a connection whose headers never finish (slowloris) after the headers timeout", async () => {
    await start({ limits: { headersTimeoutMs: 200 } });
    const answer = await raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n", undefined, 5000);
    expect(answer.status).toBe(408);
    expect(answer.closed).toBe(true);
    await stillServing();
  });
});
