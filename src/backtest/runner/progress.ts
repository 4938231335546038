/**
 * Replay progress on stderr: on a terminal a bar (`cli-progress`: % of the window, events/s, ETA);
 * otherwise one plain line every 5 s; nothing when quiet.
 */
import { SingleBar } from "cli-progress";
import type { Nanos } from "../../model/time.js";
import type { ReplayProgress } from "./run.js";

export interface ProgressReporter {
  update(progress: ReplayProgress): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5000;

export function progressReporter(
  window: { readonly startNs: Nanos; readonly endNs: Nanos },
  mode: "bar" | "lines" | "none",
  out: NodeJS.WritableStream = process.stderr,
  nowMs: () => number = () => performance.now(),
): ProgressReporter {
  if (mode === "none") return { update: () => undefined, stop: () => undefined };
  const started = nowMs();
  const percentOf = (eventNs: Nanos) =>
    Math.min(100, (Number(eventNs - window.startNs) / Number(window.endNs - window.startNs)) * 100);
  const rate = (events: number) => Math.round(events / Math.max((nowMs() - started) / 1000, 1e-3));
  if (mode === "bar") {
    const bar = new SingleBar({
      stream: out,
      format: "replay [{bar}] {percentage}% | {rate} events/s | ETA {eta_formatted}",
      etaBuffer: 50,
      hideCursor: true,
    });
    bar.start(100, 0, { rate: 0 });
    return {
      update: (p) => bar.update(Math.floor(percentOf(p.eventNs) * 10) / 10, { rate: rate(p.events) }),
      stop: () => bar.stop(),
    };
  }
  let lastLine = started;
  return {
    update: (p) => {
      const now = nowMs();
      if (now - lastLine < PLAIN_EVERY_MS) return;
      lastLine = now;
      const at = new Date(Number(p.eventNs / 1_000_000n)).toISOString();
      out.write(
        `replay ${percentOf(p.eventNs).toFixed(1)}% (at ${at}): ${p.events} events, ${rate(p.events)} events/s\n`,
      );
    },
    stop: () => undefined,
  };
}
