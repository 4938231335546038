/** Builds one series' observations from ticks in arrival order under the cleaning rules of signal-math §1.3. */
export class CleanSeriesBuilder {
  readonly times: number[] = [];
  readonly values: number[] = [];
  dropped = 0;
  replaced = 0;

  add(time: number, value: number): void {
    const last = this.times.length - 1;
    if (last >= 0 && time < this.times[last]) {
      this.dropped++;
    } else if (last >= 0 && time === this.times[last]) {
      this.replaced++;
      this.values[last] = value;
    } else {
      this.times.push(time);
      this.values.push(value);
    }
  }
}
