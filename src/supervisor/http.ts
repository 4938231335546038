import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import { RequestError, decodeParam, parseTarget, readJsonBody, refuse, send } from "./http-request.js";

export type HealthStatus = "ok" | "degraded" | "down";

export interface SubsystemHealth {
  status: HealthStatus;
  /** Why it is not ok, each naming its source (`"feed: BTC-USDT-PERP stale 12.4 s"`). */
  reasons?: string[];
  [detail: string]: unknown;
}

export interface RouteResult {
  status: number;
  body: unknown;
  contentType?: string;
  /** Extra response headers (the status page's Content-Security-Policy). */
  headers?: Record<string, string>;
}

export type RouteHandler = (request: {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}) => Promise<RouteResult> | RouteResult;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
  /** Operator routes need the token when the server is not bound to loopback. */
  operator: boolean;
}

/** What one client may ask of the server; requests past these are refused, never buffered. */
export interface HttpLimits {
  /** A larger body, announced or sent, gets 413 (control bodies are a few bytes). */
  maxBodyBytes: number;
  /**
   * Before a 413 the rest of a body up to this size is read and thrown away, within `discardMaxMs`: a
   * client that sends its whole body before it reads the answer then gets the 413 instead of a reset. A
   * larger announced body, or more than 1 MiB of a chunked one, is answered at once and the connection cut.
   */
  discardMaxBytes: number;
  discardMaxMs: number;
  /** Request line and headers together; larger gets 431. */
  maxHeaderBytes: number;
  /** Time to receive the headers (slowloris); past it the connection gets 408 and closes. */
  headersTimeoutMs: number;
  /** Time to receive the whole request. */
  requestTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxBodyBytes: 64 * 1024,
  discardMaxBytes: 16 * 1024 * 1024,
  discardMaxMs: 5_000,
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

export interface HttpServerOptions {
  host: string;
  port: number;
  token: string | undefined;
  log: Logger;
  /** Tests shorten these; the daemon uses the defaults. */
  limits?: Partial<HttpLimits>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export class PortInUseError extends Error {
  override readonly name = "PortInUseError";
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `port ${port} on ${host} is already in use (observability.health_server.port); stop the other process or ` +
        `choose another port`,
    );
  }
}

/**
 * The health, metrics and control server. Routes are registered by the daemon and by subsystems
 * (`/positions`, `/risk`, …); `/health` aggregates every registered subsystem check.
 */
export class ControlServer {
  private readonly routes: Route[] = [];
  private readonly checks = new Map<string, () => SubsystemHealth>();
  private server?: http.Server;
  private readonly limits: HttpLimits;

  constructor(private readonly options: HttpServerOptions) {
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
    if (!LOOPBACK.has(options.host) && !options.token) {
      throw new Error(`refusing to bind the control server to ${options.host} without runtime.control.token`);
    }
  }

  route(method: "GET" | "POST" | "DELETE", path: string, handler: RouteHandler, operator = method !== "GET"): void {
    const keys: string[] = [];
    const pattern = new RegExp("^" + path.replace(/\{(\w+)\}/g, (_, k: string) => (keys.push(k), "([^/]+)")) + "$");
    this.routes.push({ method, pattern, keys, handler, operator });
  }

  /** Adds a subsystem to `/health`. */
  health(name: string, check: () => SubsystemHealth): void {
    this.checks.set(name, check);
  }

  /** The worst status of any subsystem, and every reason of those that are not ok. */
  healthReport(): { status: HealthStatus; reasons: string[]; subsystems: Record<string, SubsystemHealth> } {
    const subsystems: Record<string, SubsystemHealth> = {};
    const reasons: string[] = [];
    let status: HealthStatus = "ok";
    for (const [name, check] of this.checks) {
      const result = check();
      subsystems[name] = result;
      if (result.status === "ok") continue;
      reasons.push(...(result.reasons?.length ? result.reasons : [`${name}: ${result.status}`]));
      if (result.status === "down") status = "down";
      else if (status === "ok") status = "degraded";
    }
    return { status, reasons, subsystems };
  }

  async listen(): Promise<{ host: string; port: number }> {
    const limits = this.limits;
    const server = http.createServer(
      {
        maxHeaderSize: limits.maxHeaderBytes,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // Node looks for expired requests this often (30 s by default, which would stretch the timeouts).
        connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs / 2),
      },
      (req, res) => void this.handle(req, res).catch((err: unknown) => this.lastResort(err, req, res)),
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new PortInUseError(this.options.host, this.options.port) : err),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    // After the bind, a server error (accept failing on EMFILE) is logged: unhandled, it would end the daemon.
    server.removeAllListeners("error");
    server.on("error", (err) => this.options.log.error({ err }, "control server error"));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : this.options.port;
    return { host: this.options.host, port };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every outcome of a request is an answer: 4xx for what the client got wrong, 500 for what we did. */
  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let path: string | undefined;
    try {
      const target = parseTarget(req.url ?? "/");
      path = target.pathname;
      const method = req.method ?? "GET";
      const { route, params } = this.match(method, target.pathname);
      if (route.operator && !this.authorised(req)) throw new RequestError(401, "operator token required");
      const body = method === "POST" ? await readJsonBody(req, this.limits) : undefined;
      const result = await route.handler({ params, query: target.query, body });
      send(res, result.status, result.body, result.contentType, result.headers);
    } catch (err) {
      if (err instanceof RequestError) return refuse(res, err);
      this.options.log.error({ err, path }, "control route failed");
      if (!res.headersSent) send(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    }
  }

  private match(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      return { route, params: Object.fromEntries(route.keys.map((k, i) => [k, decodeParam(m[i + 1])])) };
    }
    throw pathMatched ? new RequestError(405, "method not allowed") : new RequestError(404, "not found");
  }

  /** Only reached if answering itself failed: the connection is dropped, the daemon goes on. */
  private lastResort(err: unknown, req: http.IncomingMessage, res: http.ServerResponse): void {
    this.options.log.error({ err, url: req.url }, "control request could not be answered");
    res.destroy();
  }

  /** On loopback the operator is whoever can reach the port; elsewhere a bearer token is required. */
  private authorised(req: http.IncomingMessage): boolean {
    const token = this.options.token;
    if (!token) return LOOPBACK.has(this.options.host);
    const header = req.headers.authorization ?? "";
    const given = Buffer.from(header.replace(/^Bearer\s+/i, ""));
    const wanted = Buffer.from(token);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
}
