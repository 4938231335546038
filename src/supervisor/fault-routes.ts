import type { ControlServer } from "./http.js";
import type { Supervisor } from "./supervisor.js";

/**
 * Fault injection beyond a crash (`POST /control/actors/{name}/crash`, control-routes.ts), for the
 * reliability tests; refused unless `runtime.control.fault_injection: true`.
 */
export function registerFaultRoutes(server: ControlServer, supervisor: Supervisor): void {
  // The actor's next handler call spins forever: a stuck worker is terminated and restarted by the
  // supervisor's heartbeat check, a stuck main thread ends the process through the watchdog thread.
  server.route("POST", "/control/actors/{name}/stall", ({ params }) => {
    if (!supervisor.actors().some((a) => a.name === params.name)) {
      return { status: 404, body: { error: `no actor named '${params.name}'` } };
    }
    return supervisor.stallActor(params.name)
      ? { status: 202, body: { stalling: params.name } }
      : { status: 403, body: { error: "fault injection is off (runtime.control.fault_injection)" } };
  });
}
