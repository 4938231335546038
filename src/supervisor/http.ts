import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";

export type HealthStatus = "ok" | "degraded" | "down";

export interface SubsystemHealth {
  status: HealthStatus;
  [detail: string]: unknown;
}

export interface RouteResult {
  status: number;
  body: unknown;
  contentType?: string;
}

export type RouteHandler = (request: { params: Record<string, string>; query: URLSearchParams; body: unknown }) => Promise<RouteResult> | RouteResult;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
  /** Operator routes need the token when the server is not bound to loopback. */
  operator: boolean;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  token: string | undefined;
  log: Logger;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export class PortInUseError extends Error {
  override readonly name = "PortInUseError";
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} is already in use (observability.health_server.port); stop the other process or choose another port`);
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

  constructor(private readonly options: HttpServerOptions) {
    if (!LOOPBACK.has(options.host) && !options.token) {
      throw new Error(`refusing to bind the control server to ${options.host} without runtime.control.token`);
    }
  }

  route(method: "GET" | "POST", path: string, handler: RouteHandler, operator = method === "POST"): void {
    const keys: string[] = [];
    const pattern = new RegExp(
      "^" + path.replace(/\{(\w+)\}/g, (_, k: string) => (keys.push(k), "([^/]+)")) + "$",
    );
    this.routes.push({ method, pattern, keys, handler, operator });
  }

  /** Adds a subsystem to `/health`. */
  health(name: string, check: () => SubsystemHealth): void {
    this.checks.set(name, check);
  }

  healthReport(): { status: HealthStatus; subsystems: Record<string, SubsystemHealth> } {
    const subsystems: Record<string, SubsystemHealth> = {};
    let status: HealthStatus = "ok";
    for (const [name, check] of this.checks) {
      const result = check();
      subsystems[name] = result;
      if (result.status === "down") status = "down";
      else if (result.status === "degraded" && status === "ok") status = "degraded";
    }
    return { status, subsystems };
  }

  async listen(): Promise<{ host: string; port: number }> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new PortInUseError(this.options.host, this.options.port) : err),
      );
      server.listen(this.options.port, this.options.host, () => resolve());
    });
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

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    let match: { route: Route; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      match = { route, params: Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])])) };
      break;
    }
    if (!match) return send(res, pathMatched ? 405 : 404, { error: pathMatched ? "method not allowed" : "not found" });
    if (match.route.operator && !this.authorised(req)) return send(res, 401, { error: "operator token required" });
    try {
      const body = method === "POST" ? await readJson(req) : undefined;
      const result = await match.route.handler({ params: match.params, query: url.searchParams, body });
      send(res, result.status, result.body, result.contentType);
    } catch (err) {
      this.options.log.error({ err, path: url.pathname }, "control route failed");
      send(res, 500, { error: (err as Error).message });
    }
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

function send(res: http.ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  const text = typeof body === "string" ? body : JSON.stringify(body, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(status, { "content-type": contentType });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1 << 20) throw new Error("request body over 1 MiB");
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}
