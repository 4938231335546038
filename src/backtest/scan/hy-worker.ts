/** A piscina worker of the scan: a run of lags of one HY curve (one ordered pair and feature). */
import { hyCurve } from "../../actors/estimator/batch.js";
import type { HyTask } from "./hy-pool.js";

export default function hyTask(task: HyTask): Float64Array {
  const lagsNs = task.lagsNs.subarray(task.from, task.to);
  return hyCurve(task.leader, task.lagger, { lagsNs, excluded: new Uint8Array(lagsNs.length) });
}
