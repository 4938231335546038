/** The pieces of one control request that can be refused: its target, its path parameters and its body. */
import type http from "node:http";

/** A request refused with a client error; `close` ends the connection (a body left unread). */
export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(
    readonly status: number,
    message: string,
    readonly close = false,
  ) {
    super(message);
  }
}

export interface RequestTarget {
  /** Still percent-encoded: routes match on it, and only their parameters are decoded. */
  pathname: string;
  query: URLSearchParams;
}

/**
 * The origin form (`/path?query`) read as is, so `//` is a path like any other rather than a URL with
 * an empty host; the absolute form (`http://host/path`), which servers must accept, goes through URL.
 */
export function parseTarget(target: string): RequestTarget {
  if (target.startsWith("/")) {
    const q = target.indexOf("?");
    return {
      pathname: q < 0 ? target : target.slice(0, q),
      query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)),
    };
  }
  if (/^https?:\/\//i.test(target) && URL.canParse(target)) {
    const url = new URL(target);
    return { pathname: url.pathname, query: url.searchParams };
  }
  throw new RequestError(400, "bad request target");
}

export function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new RequestError(400, "bad percent-encoding in the path");
  }
}

/** How much of a refused body may be read and thrown away; see `HttpLimits.discardMaxBytes`. */
export interface BodyLimits {
  readonly maxBodyBytes: number;
  readonly discardMaxBytes: number;
  readonly discardMaxMs: number;
}

/** Of a chunked body (length unknown) past the limit, at most this much is thrown away before the cut. */
const DISCARD_CHUNKED_MAX_BYTES = 1024 * 1024;

/**
 * The body as JSON (undefined when empty); a body that is not JSON is a 400. Over the limit, announced or
 * sent, it is refused with 413 once the rest of it has been read and thrown away (bounded by
 * `discardMaxBytes` and `discardMaxMs`): a client that sends its whole body before it reads the answer
 * then gets the 413, not a reset connection. A body past those bounds gets its 413 at once, and the
 * connection closes.
 */
export async function readJsonBody(req: http.IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const text = (await readBody(req, limits)).toString("utf8");
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError(400, `request body is not JSON (${(err as Error).message})`);
  }
}

async function readBody(req: http.IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const limit = limits.maxBodyBytes;
  // Node has already refused a Content-Length that is not a number.
  const length = req.headers["content-length"];
  const announced = length === undefined ? undefined : Number(length);
  const read = announced !== undefined && announced > limit ? { tooLarge: 0 } : await readUpTo(req, limit);
  if (Buffer.isBuffer(read)) return read;
  const left = announced === undefined ? DISCARD_CHUNKED_MAX_BYTES : announced - read.tooLarge;
  const drained = left <= limits.discardMaxBytes && (await discard(req, left, limits.discardMaxMs));
  if (!drained) req.pause();
  throw new RequestError(413, `request body over ${limit} bytes`, !drained);
}

/** The whole body, or how much had been read when it passed `limit` (reading then stops). */
function readUpTo(req: http.IncomingMessage, limit: number): Promise<Buffer | { tooLarge: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      req.off("data", onData).off("end", onEnd).off("error", onClose).off("close", onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      settle(() => resolve({ tooLarge: size }));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks)));
    const onClose = () => settle(() => reject(new RequestError(400, "connection closed before the body ended", true)));
    req.on("data", onData).on("end", onEnd).on("error", onClose).on("close", onClose);
  });
}

/** Reads and throws away the rest of a body; true if it ended within `budget` bytes and `withinMs`. */
function discard(req: http.IncomingMessage, budget: number, withinMs: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let discarded = 0;
    const settle = (ended: boolean) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("close", onGone).off("error", onGone);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > budget) settle(false);
    };
    const onEnd = () => settle(true);
    const onGone = () => settle(false);
    const timer = setTimeout(() => settle(false), withinMs);
    req.on("data", onData).on("end", onEnd).on("close", onGone).on("error", onGone);
    req.resume();
  });
}

/** Writes a whole response; a response the client has already gone from is left alone. */
export function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = "application/json",
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  const text =
    typeof body === "string"
      ? body
      : JSON.stringify(body, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { ...headers, "content-type": contentType });
  res.end(text);
}

/** A refusal; when the body was left unread the connection closes after the answer instead of draining it. */
export function refuse(res: http.ServerResponse, err: RequestError): void {
  if (err.close && !res.headersSent) res.setHeader("connection", "close");
  send(res, err.status, { error: err.message });
}
