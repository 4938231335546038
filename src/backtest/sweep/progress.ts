/**
 * Progress over a sweep's jobs on stderr: on a terminal a bar (`cli-progress`: jobs done, ETA); otherwise
 * one plain line per job done, with the ETA from the mean time per job so far.
 */
import { SingleBar } from "cli-progress";

export interface JobProgress {
  done(): void;
  stop(): void;
}

export function jobProgress(
  total: number,
  mode: "bar" | "lines",
  out: NodeJS.WritableStream = process.stderr,
  nowMs: () => number = () => performance.now(),
): JobProgress {
  if (mode === "bar") {
    const bar = new SingleBar({
      stream: out,
      format: "sweep [{bar}] {value}/{total} jobs | {percentage}% | ETA {eta_formatted}",
      etaBuffer: Math.max(2, Math.min(total, 20)),
      hideCursor: true,
    });
    bar.start(total, 0);
    return { done: () => bar.increment(), stop: () => bar.stop() };
  }
  const started = nowMs();
  let done = 0;
  return {
    done: () => {
      done++;
      const perJob = (nowMs() - started) / done;
      const eta = Math.round(((total - done) * perJob) / 1000);
      out.write(`sweep ${done}/${total} jobs (${((done / total) * 100).toFixed(0)}%), ETA ${eta} s\n`);
    },
    stop: () => undefined,
  };
}
