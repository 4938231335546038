import { pino, type Logger } from "pino";

/**
 * Paths redacted from every log line: API keys, tokens, passwords and connection strings never reach a
 * log, whatever object they ride in on.
 */
export const REDACT_PATHS = [
  "*.api_key",
  "*.apiKey",
  "*.secret",
  "*.token",
  "*.password",
  "*.connection",
  "*.database_url",
  "config.runtime.control.token",
  "headers.authorization",
];

/**
 * The daemon's logger: JSON lines on stdout, written straight to fd 1 (also from workers, so log lines
 * do not queue behind the main thread). Writes are synchronous: nothing logs on the hot path, and a crashing thread
 * loses no line.
 */
export function createLogger(level = "info"): Logger {
  return pino(
    { level: level.toLowerCase(), redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { pid: process.pid } },
    pino.destination({ dest: 1, sync: true }),
  );
}
