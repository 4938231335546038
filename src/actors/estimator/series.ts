/**
 * The observations of one series currently in the window, on typed arrays.
 * Live entries are `[start, end)`; eviction advances `start`, and the live part is copied back to the front
 * only when the tail reaches the end, so indices stay plain array indices and steady state never allocates.
 */
export class ObservationSeries {
  times: Float64Array;
  values: Float64Array;
  start = 0;
  end = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.values = new Float64Array(initialCapacity);
  }

  get size(): number {
    return this.end - this.start;
  }

  get lastTime(): number {
    return this.times[this.end - 1];
  }

  push(time: number, value: number): void {
    if (this.end === this.times.length) this.makeRoom();
    this.times[this.end] = time;
    this.values[this.end] = value;
    this.end++;
  }

  /** Index of the last live time ≤ u, clamped to the first live index (`prev` of §2.8.2). */
  lastAtOrBefore(u: number, limit: number): number {
    let lo = this.start;
    let hi = limit - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid] <= u) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the first live time ≥ u, clamped to `limit − 1` (`next` of §2.8.2). */
  firstAtOrAfter(u: number, limit: number): number {
    let lo = this.start;
    let hi = limit - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] >= u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Index of the first live time > u, or `end` (the suffix an evaluation at u must leave out). */
  firstAfter(u: number): number {
    let index = this.end;
    while (index > this.start && this.times[index - 1] > u) index--;
    return index;
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }

  private makeRoom(): void {
    const live = this.size;
    if (live * 2 > this.times.length) {
      const times = new Float64Array(this.times.length * 2);
      const values = new Float64Array(this.values.length * 2);
      times.set(this.times.subarray(this.start, this.end));
      values.set(this.values.subarray(this.start, this.end));
      this.times = times;
      this.values = values;
    } else {
      this.times.copyWithin(0, this.start, this.end);
      this.values.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.end = live;
  }
}
