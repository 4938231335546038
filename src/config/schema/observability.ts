/** `observability:` — logs, the health/metrics/control HTTP server, account sync, metrics aggregation. */
import { z } from "zod";
import { flag, host, port, positiveNumber } from "./fields.js";

/** trading_core writes Python level names (INFO, WARNING, CRITICAL); pino uses its own. */
const LEVEL_ALIASES: Readonly<Record<string, PinoLevel>> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  fatal: "fatal",
  critical: "fatal",
};
type PinoLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

/** pino's name for a level as trading_core or pino spells it, case-insensitively; undefined if none. */
export function pinoLevel(name: string): PinoLevel | undefined {
  return LEVEL_ALIASES[name.toLowerCase()];
}

/** The level names `logging.level` and `run --log-level` accept. */
export const LOG_LEVEL_NAMES = Object.keys(LEVEL_ALIASES);

const levelSchema = z
  .string()
  .transform((level) => level.toLowerCase())
  .pipe(z.enum(Object.keys(LEVEL_ALIASES) as [string, ...string[]]))
  .transform((level) => LEVEL_ALIASES[level]);

export const observabilitySchema = z.strictObject({
  logging: z
    .strictObject({
      level: levelSchema.default("info"),
      structured: flag().default(true), // JSON lines; false = human-readable
      file: z.string().min(1).nullable().default(null), // null = stdout only (what systemd and containers collect)
      max_size_mb: positiveNumber().default(10), // the file is rotated past this size
      max_files: z.number().int().min(1).default(5), // rotated files kept: FILE.1 … FILE.N
    })
    .prefault({}),
  health_server: z
    .strictObject({
      enabled: flag().default(true),
      host: host().default("127.0.0.1"),
      port: port().default(8082),
      // /health is degraded while the 99th percentile of the main thread's event-loop delay over 5 s is above this.
      max_event_loop_lag_ms: positiveNumber().default(200),
    })
    .prefault({}),
  accounts_zmq: z
    .strictObject({
      host: host().default("127.0.0.1"),
      port: port().default(5562),
    })
    .prefault({}),
  metrics_aggregator: z
    .strictObject({
      enabled: flag().default(true),
      poll_interval_sec: positiveNumber().default(1.0),
      log_interval_sec: positiveNumber().default(120.0),
    })
    .prefault({}),
});
