import type { ControlServer } from "../http.js";
import type { OrdersStatus } from "../../protocol/status.js";
import type { ShadowGroups } from "./groups.js";
import { shadowReport } from "./report.js";

export interface ShadowRouteOptions {
  readonly faultInjection: boolean;
  /** The sum of an actor-reported series over its label sets matching `where` (DaemonMetrics.total). */
  readonly total: (name: string, where: Readonly<Record<string, string>>) => number;
  /** The live strategy's decision file, for the side-by-side in the report. */
  readonly liveDecisionsCsv: string;
  /** The live order manager's published status, for a mirror's calibration. */
  readonly liveOrders: () => OrdersStatus | undefined;
}

/** The shadow routes of the control API (docs/shadow.md); operator routes as the rest of the control API. */
export function registerShadowRoutes(server: ControlServer, shadows: ShadowGroups, options: ShadowRouteOptions): void {
  const missing = (name: string) => ({ status: 404, body: { error: `no shadow named '${name}'` } });

  server.route("POST", "/control/shadows", async ({ body }) => {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return { status: 400, body: { error: "body: an object {name, config | set | mirror}" } };
    const result = await shadows.attach(body as Parameters<ShadowGroups["attach"]>[0]);
    if (result.ok) return { status: 201, body: { shadow: result.shadow } };
    return {
      status: result.status,
      body: { error: result.error, ...(result.errors ? { errors: result.errors } : {}) },
    };
  });

  server.route("GET", "/control/shadows", () => ({ status: 200, body: { shadows: shadows.list() } }));

  server.route("GET", "/control/shadows/{name}", ({ params }) => {
    const shadow = shadows.get(params.name);
    return shadow ? { status: 200, body: { shadow } } : missing(params.name);
  });

  server.route("DELETE", "/control/shadows/{name}", async ({ params }) =>
    (await shadows.detach(params.name)) ? { status: 200, body: { detached: params.name } } : missing(params.name),
  );

  server.route("GET", "/control/shadows/{name}/report", ({ params }) => {
    const report = shadowReport(shadows, params.name, options);
    return report ? { status: 200, body: report } : missing(params.name);
  });

  // The shadow's config as a file: operator only, as it names the daemon's paths and variables.
  server.route(
    "GET",
    "/control/shadows/{name}/config",
    ({ params }) => {
      const file = shadows.configFileOf(params.name);
      return file === undefined
        ? missing(params.name)
        : { status: 200, body: file, contentType: "text/yaml; charset=utf-8" };
    },
    true,
  );

  server.route("POST", "/control/shadows/{name}/actors/{actor}/crash", ({ params }) => {
    if (!options.faultInjection)
      return { status: 403, body: { error: "fault injection is off (runtime.control.fault_injection)" } };
    const crashed = shadows.crashActor(params.name, params.actor);
    if (crashed === undefined)
      return { status: 404, body: { error: `no actor '${params.actor}' in shadow '${params.name}'` } };
    return { status: 202, body: { crashing: params.actor } };
  });
}
