/**
 * Child specs are plain data (OTP): only `name`, `module` and `thread` are required; every default is in
 * CHILD_DEFAULTS. `module` is the URL of a compiled module whose default export is an `ActorDef`.
 */
export type RestartType = "permanent" | "transient" | "temporary";

export interface ChildSpec {
  readonly name: string;
  readonly module: string;
  /** Placement: `main`, or the name of a worker thread shared by every child that names it. */
  readonly thread: string;
  readonly config?: unknown;
  readonly restart?: RestartType;
  readonly shutdownMs?: number;
}

export type ResolvedChildSpec = Required<ChildSpec>;

export const CHILD_DEFAULTS = { restart: "permanent", shutdownMs: 2000, config: {} } as const;

export class ChildSpecError extends Error {
  override readonly name = "ChildSpecError";
  constructor(
    readonly code:
      | "duplicate_name"
      | "invalid_name"
      | "invalid_thread"
      | "invalid_shutdown"
      | "invalid_restart"
      | "unread_channel_writer_missing",
    readonly offender: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const NAME = /^[a-z][a-z0-9-]*$/;
const RESTARTS: ReadonlySet<string> = new Set(["permanent", "transient", "temporary"]);

/** Checks the whole list before anything starts, naming the offending child. */
export function resolveChildSpecs(specs: readonly ChildSpec[]): ResolvedChildSpec[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    if (!NAME.test(spec.name))
      throw new ChildSpecError("invalid_name", spec.name, `child name '${spec.name}' must match ${NAME}`);
    if (seen.has(spec.name))
      throw new ChildSpecError("duplicate_name", spec.name, `child '${spec.name}' is listed twice`);
    seen.add(spec.name);
    if (spec.thread !== "main" && !NAME.test(spec.thread)) {
      throw new ChildSpecError(
        "invalid_thread",
        spec.name,
        `child '${spec.name}': thread '${spec.thread}' must be 'main' or match ${NAME}`,
      );
    }
    const resolved: ResolvedChildSpec = { ...CHILD_DEFAULTS, ...spec } as ResolvedChildSpec;
    if (!RESTARTS.has(resolved.restart)) {
      throw new ChildSpecError(
        "invalid_restart",
        spec.name,
        `child '${spec.name}': restart '${resolved.restart}' is not permanent | transient | temporary`,
      );
    }
    if (!(Number.isFinite(resolved.shutdownMs) && resolved.shutdownMs > 0)) {
      throw new ChildSpecError(
        "invalid_shutdown",
        spec.name,
        `child '${spec.name}': shutdownMs must be a positive number, got ${resolved.shutdownMs}`,
      );
    }
    return resolved;
  });
}
