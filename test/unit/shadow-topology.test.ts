import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseConfig } from "../../src/config/index.js";
import { Channels } from "../../src/protocol/channels.js";
import { TAPPED_CHANNELS } from "../../src/protocol/shadow-tap.js";
import { resolveChildSpecs } from "../../src/supervisor/child-spec.js";
import { childSpecsFor } from "../../src/supervisor/children.js";
import { resolveStart } from "../../src/supervisor/sections.js";
import { loadDefs } from "../../src/supervisor/system.js";
import { buildTopology } from "../../src/supervisor/topology.js";
import { shadowChildSpecs } from "../../src/supervisor/shadows/children.js";
import { createTapSlots } from "../../src/supervisor/shadows/groups.js";
import { shadowTapSection } from "../../src/actors/shadow-tap/section.js";

function liveConfig(provider: "paper" | "zmq", dir: string) {
  return parseConfig(`
execution: { provider: ${provider}, mode: paper }
runtime: { journal: { path: ${path.join(dir, "journal.log")} } }
strategies:
  - name: s
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP]
      artifacts_path: ${path.join(dir, "none")}
      decision_scores_csv_path: ${path.join(dir, "decisions.csv")}
`);
}

describe("shadow group topology: isolated from the live account", () => {
  for (const provider of ["paper", "zmq"] as const) {
    it(`has no channel to the live venue (${provider}), only the tap's drop-oldest ring in, nothing out`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-topology-"));
      const config = liveConfig(provider, dir);
      const start = resolveStart(config);
      const [slot] = createTapSlots(1, 1 << 16);
      const group = shadowChildSpecs("cand", config, start, path.join(dir, "shadows", "cand"));
      const children = resolveChildSpecs(group.specs);
      const topology = buildTopology(children, await loadDefs(children), undefined, {
        peer: "live-tap",
        channels: TAPPED_CHANNELS,
        silent: [Channels.accountSnapshots],
        ring: slot.ring,
        bell: slot.bell,
      });

      expect(topology.threads).toEqual(["shadow-cand"]);
      const modules = children.map((c) => c.module);
      expect(modules.some((m) => m.includes("/venues/engine/") || m.includes("/venues/paper/"))).toBe(false);
      expect(modules.filter((m) => m.includes("/venues/simulated/"))).toHaveLength(1);
      // Its orders go to the group's own venue: the writer and reader of orders.venue are both inside it.
      const kinds = children.map((c) => topology.defs.get(c.name)!.kind);
      expect(kinds.sort()).toEqual(["orders", "risk", "strategy", "venue"]);
      // The only ring: the tap's, into the group. Nothing leaves the group's thread.
      expect(topology.rings).toHaveLength(1);
      expect(topology.rings[0]).toMatchObject({ from: "live-tap", to: "shadow-cand", policy: "drop-oldest" });
      expect(topology.rings[0].buffer).toBe(slot.ring);
      expect(topology.doorbells["shadow-cand"]).toBe(slot.bell);
      const startup = topology.startupFor("shadow-cand", {
        spinUs: 0,
        rehearseEveryUs: 0,
        blockDeadlineMs: 1000,
        faultInjection: false,
        logLevel: "silent",
      });
      expect(startup.outbound).toEqual([]);
      expect(startup.channels.slice(0, TAPPED_CHANNELS.length).map((c) => c.name)).toEqual([...TAPPED_CHANNELS]);
      // Its journal, breaker state and decisions are its own.
      const orders = children.find((c) => c.name === "shadow-cand-orders")!.config as { journal: { path: string } };
      expect(orders.journal.path).toBe(path.join(dir, "shadows", "cand", "journal.log"));
    });
  }

  it("thread main puts the whole group on the daemon's main thread, fed by the same tap ring; names stay shadow-NAME-*", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-topology-"));
    const config = liveConfig("paper", dir);
    const [slot] = createTapSlots(1, 1 << 16);
    const group = shadowChildSpecs("cand", config, resolveStart(config), path.join(dir, "cand"), "main");
    expect(group.thread).toBe("main");
    expect(group.specs.map((s) => [s.name, s.thread])).toEqual([
      ["shadow-cand-venue", "main"],
      ["shadow-cand-orders", "main"],
      ["shadow-cand-risk", "main"],
      ["shadow-cand-strategy", "main"],
    ]);
    const children = resolveChildSpecs(group.specs);
    const topology = buildTopology(children, await loadDefs(children), undefined, {
      peer: "live-tap",
      channels: TAPPED_CHANNELS,
      silent: [Channels.accountSnapshots],
      ring: slot.ring,
      bell: slot.bell,
    });
    expect(topology.threads).toEqual(["main"]);
    expect(topology.rings.map((r) => [r.from, r.to, r.policy])).toEqual([["live-tap", "main", "drop-oldest"]]);
    expect(topology.doorbells.main).toBe(slot.bell);
    // The default is its own worker.
    const own = shadowChildSpecs("cand", config, resolveStart(config), path.join(dir, "cand"));
    expect(new Set(own.specs.map((s) => s.thread))).toEqual(new Set(["shadow-cand"]));
  });

  it("the live daemon's tap reads the feed's and estimators' outputs and writes no channel", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadlag-shadow-topology-"));
    const config = liveConfig("paper", dir);
    const specs = resolveChildSpecs(
      childSpecsFor(config, 1, resolveStart(config), shadowTapSection(config, createTapSlots(2, 1 << 16))),
    );
    const defs = await loadDefs(specs);
    const tap = specs.at(-1)!;
    expect(tap.name).toBe("shadow-tap");
    expect(tap.thread).toBe(specs.find((c) => c.name === "feed")!.thread);
    expect(defs.get("shadow-tap")!.writes).toEqual([]);
    expect(defs.get("shadow-tap")!.reads).toEqual([...TAPPED_CHANNELS]);
    // Without a tap (a backtest) nothing changes.
    expect(childSpecsFor(config, 1, resolveStart(config)).some((c) => c.name === "shadow-tap")).toBe(false);
  });
});
