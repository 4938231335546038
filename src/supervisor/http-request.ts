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

/**
 * The body as JSON (undefined when empty). Over `limit` bytes, announced or sent, it is refused with 413
 * and no more of it is read; a body that is not JSON is a 400.
 */
export async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const text = (await readBody(req, limit)).toString("utf8");
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError(400, `request body is not JSON (${(err as Error).message})`);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new RequestError(413, `request body over ${limit} bytes`, true);
  // Node has already refused a Content-Length that is not a number.
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.reject(tooLarge());
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
      req.pause();
      settle(() => reject(tooLarge()));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks)));
    const onClose = () => settle(() => reject(new RequestError(400, "connection closed before the body ended", true)));
    req.on("data", onData).on("end", onEnd).on("error", onClose).on("close", onClose);
  });
}

/** Writes a whole response; a response the client has already gone from is left alone. */
export function send(res: http.ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  if (res.destroyed || res.writableEnded) return;
  const text =
    typeof body === "string"
      ? body
      : JSON.stringify(body, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": contentType });
  res.end(text);
}

/** A refusal; when the body was left unread the connection closes after the answer instead of draining it. */
export function refuse(res: http.ServerResponse, err: RequestError): void {
  if (err.close && !res.headersSent) res.setHeader("connection", "close");
  send(res, err.status, { error: err.message });
}
