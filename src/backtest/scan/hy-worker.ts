/** A piscina worker of the scan: one HY curve (every grid lag) of one ordered pair and feature. */
import { hyCurve } from "../../actors/estimator/batch.js";
import type { HyTask } from "./hy-pool.js";

export default function hyTask(task: HyTask): Float64Array {
  const curve = hyCurve(task.leader, task.lagger, {
    lagsNs: task.lagsNs,
    excluded: new Uint8Array(task.lagsNs.length),
  });
  return curve;
}
