import { describe, expect, it } from "vitest";
import { childSpecsFor, spinPlan } from "../../src/supervisor/children.js";
import { parseConfig } from "../../src/config/index.js";
import { minimalConfig } from "../fixtures/config.js";

const configWith = (runtime: string, execution = "") =>
  parseConfig(`${minimalConfig()}runtime: ${runtime}\n${execution}`, { env: {} });

const threads = (runtime: string, execution = "", cpus = 2) =>
  Object.fromEntries(childSpecsFor(configWith(runtime, execution), cpus).map((c) => [c.name, c.thread]));

describe("actor placement (runtime.placement)", () => {
  it("puts the tick path beside the ZeroMQ sockets on main by default, shards on their own workers", () => {
    expect(threads("{}", "", 3)).toEqual({
      "market-synth": "main",
      "md-bridge": "main",
      feed: "main",
      "estimator-0": "worker-estimator-0",
      "estimator-1": "worker-estimator-1",
      jumps: "main",
      "account-sync": "main",
      venue: "main",
      orders: "main",
      risk: "main",
      strategy: "main",
    });
  });

  it("moves the hot_worker actors to one worker with hot_thread: worker; sockets stay on main", () => {
    const placed = threads("{placement: {hot_thread: worker}}", "execution: {provider: zmq}\n");
    expect(placed).toMatchObject({
      "md-bridge": "main",
      feed: "hot",
      strategy: "hot",
      risk: "hot",
      orders: "hot",
      jumps: "hot",
      venue: "main",
      "account-sync": "main",
    });
  });

  it("gives every actor a worker of its own in the isolated layout", () => {
    const placed = threads("{placement: {layout: isolated}}");
    expect(placed).toMatchObject({
      feed: "worker-feed",
      strategy: "worker-strategy",
      venue: "worker-venue",
      "estimator-0": "worker-estimator-0",
    });
  });

  it("spins each thread for its configured time: main, estimator workers, other workers", () => {
    const spin = spinPlan(
      configWith("{spin: {spin_us: 7, main_spin_us: 11, estimator_spin_us: 13}, placement: {hot_thread: worker}}"),
    );
    expect([spin("main"), spin("worker-estimator-0"), spin("hot"), spin("worker-feed")]).toEqual([11, 13, 7, 7]);
  });
});
