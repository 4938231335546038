/** The reliability runner's command line: what to run, parsed without side effects. */
import { parseArgs } from "node:util";

export type RunPlan =
  | { readonly kind: "scenarios"; readonly only: readonly string[] | undefined; readonly writeDocs: boolean }
  | { readonly kind: "soak"; readonly seconds: number; readonly writeDocs: boolean }
  | { readonly kind: "list" }
  | { readonly kind: "help" };

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The soak is at least long enough for a start and an end window after the warm-up, and at most a day. */
export const SOAK_MIN_S = 30;
export const SOAK_MAX_S = 86_400;

export const USAGE = [
  "usage: npm run reliability [-- OPTIONS]",
  "",
  "  (no option)        every scenario against real daemons; prints a table and rewrites the figures in",
  "                     docs/reliability.md; exit 1 when any scenario fails",
  "  --only NAME[,NAME] only these scenarios (the table is printed, docs/reliability.md is left alone)",
  "  --soak SECONDS     instead of the scenarios: the synthetic market at 10x its rate for SECONDS; RSS,",
  "                     event-loop lag and decision latency at the start and the end (pass if flat within",
  "                     10 %); rewrites the soak figures in docs/reliability.md",
  "  --no-docs          do not touch docs/reliability.md",
  "  --list             the scenario names",
  "  --help",
].join("\n");

/** `known` is the list of scenario names, so that a typo is refused before anything starts. */
export function parseRunArgs(argv: readonly string[], known: readonly string[]): RunPlan {
  let parsed: ReturnType<typeof parseRunOptions>;
  try {
    parsed = parseRunOptions(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) return { kind: "help" };
  if (values.list) return { kind: "list" };
  const writeDocs = !values["no-docs"];
  if (values.soak !== undefined) {
    if (values.only !== undefined) throw new UsageError("--soak runs alone; drop --only");
    return { kind: "soak", seconds: soakSeconds(values.soak), writeDocs };
  }
  if (values.only === undefined) return { kind: "scenarios", only: undefined, writeDocs };
  const only = values.only
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (only.length === 0) throw new UsageError("--only needs a scenario name");
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new UsageError(`unknown scenario ${unknown.map((n) => `'${n}'`).join(", ")}; one of: ${known.join(", ")}`);
  return { kind: "scenarios", only: [...new Set(only)], writeDocs: false };
}

function soakSeconds(text: string): number {
  const seconds = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < SOAK_MIN_S || seconds > SOAK_MAX_S) {
    throw new UsageError(`--soak takes whole seconds from ${SOAK_MIN_S} to ${SOAK_MAX_S}, got '${text}'`);
  }
  return seconds;
}

function parseRunOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      only: { type: "string", multiple: true },
      soak: { type: "string" },
      "no-docs": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
    strict: true,
  });
}
