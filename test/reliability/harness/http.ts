/** HTTP to a daemon on loopback, every call bounded by a timeout; raw sockets for requests fetch refuses to send. */
import net from "node:net";

export interface HttpAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly ms: number;
}

export async function request(
  port: number,
  pathname: string,
  options: { method?: string; body?: string | Uint8Array; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer<string>> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, {
    method: options.method ?? "GET",
    body: options.body,
    headers: options.headers,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const body = await res.text();
  return { status: res.status, body, ms: performance.now() - t0 };
}

/** GET (or POST) returning parsed JSON; a body that is not JSON comes back as the text. */
export async function getJson<T = Record<string, unknown>>(
  port: number,
  pathname: string,
  options: { method?: string; timeoutMs?: number } = {},
): Promise<HttpAnswer<T>> {
  const answer = await request(port, pathname, options);
  let body: unknown = answer.body;
  try {
    body = JSON.parse(answer.body);
  } catch {
    // kept as text
  }
  return { ...answer, body: body as T };
}

/** `/health` or an error's message: never throws, for polls that must go on when the daemon does not answer. */
export async function probeHealth(
  port: number,
  timeoutMs = 2000,
): Promise<{ status: number | undefined; state: string; ms: number; error?: string }> {
  const t0 = performance.now();
  try {
    const answer = await getJson<{ state?: string }>(port, "/health", { timeoutMs });
    return { status: answer.status, state: answer.body?.state ?? "?", ms: answer.ms };
  } catch (err) {
    return { status: undefined, state: "no answer", ms: performance.now() - t0, error: describeError(err) };
  }
}

export function describeError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return "timed out";
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export interface RawAnswer {
  /** Status of the first response line, undefined when none came. */
  readonly status: number | undefined;
  readonly head: string;
  readonly error?: string;
}

/**
 * Writes `bytes` on a fresh connection and reads until the peer closes or `timeoutMs` passes: for request
 * lines no client library sends as written (`//`, `%ZZ`, garbage).
 */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return rawExchange(port, [Buffer.from(bytes)], timeoutMs);
}

/**
 * A request head followed by `bodyBytes` of body, written 64 KB at a time: a server may answer (413) and
 * close before the body is all sent, and that answer must not be lost to the write error that follows.
 */
export function rawUpload(port: number, head: string, bodyBytes: number, timeoutMs = 10_000): Promise<RawAnswer> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const chunks = [Buffer.from(head)];
  for (let left = bodyBytes; left > 0; left -= chunk.length)
    chunks.push(left >= chunk.length ? chunk : chunk.subarray(0, left));
  return rawExchange(port, chunks, timeoutMs);
}

function rawExchange(port: number, parts: readonly Buffer[], timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({
        status: m ? Number(m[1]) : undefined,
        head: text.split("\r\n")[0].slice(0, 200),
        ...(error && !m ? { error } : {}),
      });
    };
    const timer = setTimeout(() => finish(chunks.length > 0 ? undefined : "timed out"), timeoutMs);
    socket.on("connect", async () => {
      for (const part of parts) {
        if (settled || chunks.length > 0 || socket.destroyed) return;
        if (!socket.write(part)) await new Promise((r) => socket.once("drain", r));
      }
      if (!socket.destroyed) socket.end();
    });
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      // One response is all we ask for; the server may keep the connection open.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) setTimeout(() => finish(), 50);
    });
    // A write error after the answer arrived (the server closed on a body it refused) is not a failure.
    socket.on("error", (err) => finish(chunks.length > 0 ? undefined : describeError(err)));
    socket.on("close", () => finish(chunks.length > 0 ? undefined : "connection closed without an answer"));
  });
}
