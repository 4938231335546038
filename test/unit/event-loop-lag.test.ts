import { afterEach, describe, expect, it } from "vitest";
import { EventLoopLag } from "../../src/supervisor/event-loop-lag.js";
import { waitFor } from "../fixtures/wait.js";

let lag: EventLoopLag | undefined;
afterEach(() => lag?.stop());

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is held, as a long handler would hold it
  }
}

describe("event loop lag", () => {
  it("reports a window in which the loop was held, and a quiet one after it", async () => {
    lag = new EventLoopLag(100);
    expect(lag.lastWindow()).toEqual({ p99Ms: 0, maxMs: 0 });
    lag.start();
    await new Promise((r) => setTimeout(r, 50));
    // Held for three windows' length: the window it lands in has a handful of samples, this one among them.
    blockFor(300);
    await waitFor(() => lag!.lastWindow().p99Ms >= 250, 5000);
    expect(lag.lastWindow().maxMs).toBeGreaterThanOrEqual(250);
    await waitFor(() => lag!.lastWindow().p99Ms < 250, 5000);
  });
});
