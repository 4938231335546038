import { BroadcastChannel } from "node:worker_threads";
import { isatty } from "node:tty";
import { basename, dirname } from "node:path";
import { pino, type DestinationStream, type Logger, type StreamEntry } from "pino";
import pretty from "pino-pretty";
import { createStream, type RotatingFileStream } from "rotating-file-stream";

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

/** A log file rotated by size: `PATH` is current, `PATH.1` the newest rotated one, up to `PATH.<maxFiles>`. */
export interface LogFile {
  readonly path: string;
  readonly maxSizeMb: number;
  readonly maxFiles: number;
}

/** How a worker thread writes: the format on stdout, and whether its lines also go to the main thread's file. */
export interface WorkerLogOutput {
  readonly structured: boolean;
  readonly toFile: boolean;
}

export interface LogOptions {
  readonly level: string;
  /** true (the default): JSON lines on stdout; false: human-readable lines (pino-pretty). */
  readonly structured?: boolean;
  /** The thread that owns the file (the main thread): it writes its own lines and the workers' lines there. */
  readonly file?: LogFile | null;
  /** A worker thread: its lines also go to the thread that owns the file. */
  readonly forwardToFile?: boolean;
}

/**
 * Worker threads hand their log lines to the main thread on this channel: a rotated file must have one
 * writer, or two threads would each rotate it.
 */
const FILE_CHANNEL = "leadlag-log-file";

/** Log files are written asynchronously: they are closed (flushed) before the process exits. */
const openFiles = new Set<RotatingFileStream>();

/** Flushes and closes every log file this process opened; the CLI calls it before exiting. */
export async function closeLogFiles(): Promise<void> {
  const closing = [...openFiles].map((stream) => new Promise<void>((resolve) => stream.end(resolve)));
  openFiles.clear();
  await Promise.all(closing);
}

/**
 * The daemon's logger: lines on stdout, written straight to fd 1 (also from workers, so log lines do not
 * queue behind the main thread), synchronously: nothing logs on the hot path, and a crashing thread loses
 * no stdout line. With a file, the same lines also go there as JSON, whatever the stdout format.
 */
export function createLogger(options: LogOptions | string = "info"): Logger {
  const o: LogOptions = typeof options === "string" ? { level: options } : options;
  const stdout: DestinationStream =
    o.structured === false
      ? pretty({ destination: 1, sync: true, colorize: isatty(1) })
      : pino.destination({ dest: 1, sync: true });
  const streams: StreamEntry[] = [{ level: "trace", stream: stdout }];
  if (o.file) streams.push({ level: "trace", stream: openLogFile(o.file) });
  if (o.forwardToFile) streams.push({ level: "trace", stream: forwardingStream() });
  return pino(
    { level: o.level.toLowerCase(), redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { pid: process.pid } },
    streams.length === 1 ? stdout : pino.multistream(streams),
  );
}

/** Opens the rotated file (rotating-file-stream does the size check and the renames) and takes the workers' lines. */
function openLogFile(file: LogFile): DestinationStream {
  const bytes = Math.max(1, Math.round(file.maxSizeMb * 1024 * 1024));
  const stream = createStream(basename(file.path), {
    path: dirname(file.path),
    size: `${bytes}B`,
    rotate: file.maxFiles,
  });
  stream.on("error", (err) => process.stderr.write(`leadlag: log file ${file.path}: ${err.message}\n`));
  const channel = new BroadcastChannel(FILE_CHANNEL);
  channel.onmessage = (event) => stream.write((event as { data: string }).data);
  channel.unref();
  stream.on("finish", () => channel.close());
  openFiles.add(stream);
  return stream;
}

function forwardingStream(): DestinationStream {
  const channel = new BroadcastChannel(FILE_CHANNEL);
  channel.unref();
  return { write: (line: string) => channel.postMessage(line) };
}
