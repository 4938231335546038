import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allOrderedPairs, ArtifactStore, pairKey, type ArtifactTexts } from "../../src/actors/strategy/artifacts.js";
import { BTC, ETH, SOL } from "../fixtures/strategy.js";

const SYMBOLS = [BTC, ETH, SOL];
const FEATURES = ["trade", "mid"] as const;
const example = (name: string) => readFileSync(new URL(`../../configs/artifacts/${name}`, import.meta.url), "utf8");
const EXAMPLE: ArtifactTexts = {
  topPairs: example("top_pairs.json"),
  topFeatures: example("top_features.json"),
  baselines: example("baselines.json"),
};

describe("strategy artifacts", () => {
  it("uses every ordered pair and weight 1 per configured feature when the artifacts path does not exist", () => {
    const store = new ArtifactStore(SYMBOLS, [...FEATURES]);
    const load = store.load(null);
    expect(load.ok).toBe(true);
    expect(load.set.source).toBe("defaults");
    expect(load.set.pairs).toHaveLength(6);
    expect(load.set.pairs).toEqual(allOrderedPairs(SYMBOLS));
    expect([...load.set.featureWeights]).toEqual([
      ["trade", 1],
      ["mid", 1],
    ]);
    expect(load.set.baselines.size).toBe(0);
  });

  it("loads the shipped example set", () => {
    const load = new ArtifactStore(SYMBOLS, [...FEATURES]).load(EXAMPLE);
    expect(load.ok).toBe(true);
    expect(load.set.source).toBe("files");
    expect(load.set.pairs).toEqual([
      { leader: BTC.id, lagger: ETH.id, weight: 1, expectedTauS: 1.5 },
      { leader: BTC.id, lagger: SOL.id, weight: 0.8, expectedTauS: 2 },
      { leader: ETH.id, lagger: SOL.id, weight: 0.6, expectedTauS: null },
    ]);
    // Ranked by weight; features the estimator does not compute are left out.
    expect([...load.set.featureWeights]).toEqual([
      ["mid", 1],
      ["trade", 0.8],
    ]);
    expect(load.set.baselines.get(pairKey(BTC.id, ETH.id))).toEqual({
      expectedMoveBps: 14,
      leaderVol: 1,
      laggerVol: 1.3,
    });
  });

  it("keeps the last good set when a file is not JSON", () => {
    const store = new ArtifactStore(SYMBOLS, [...FEATURES]);
    const good = store.load(EXAMPLE).set;
    const bad = store.load({ ...EXAMPLE, baselines: "{ not json" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^baselines\.json: not JSON/);
    expect(bad.set).toBe(good);
    expect(store.set).toBe(good);
  });

  it("rejects a file that breaks its schema, naming the path", () => {
    const store = new ArtifactStore(SYMBOLS, [...FEATURES]);
    const topPairs = JSON.stringify({
      version: 1,
      pairs: [{ leader: "BTC-USDT-PERP", lagger: "ETH-USDT-PERP", weight: -1 }],
    });
    const load = store.load({ ...EXAMPLE, topPairs });
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.errors).toEqual([expect.stringMatching(/^top_pairs\.json: pairs\.0\.weight: /)]);
    expect(store.set.source).toBe("defaults");
  });

  it("rejects unknown symbols, self-pairs and unknown keys", () => {
    const store = new ArtifactStore(SYMBOLS, [...FEATURES]);
    const topPairs = JSON.stringify({
      version: 1,
      pairs: [
        { leader: "DOGE-USDT-PERP", lagger: "ETH-USDT-PERP" },
        { leader: "ETH-USDT-PERP", lagger: "ETH-USDT-PERP" },
      ],
    });
    const load = store.load({ ...EXAMPLE, topPairs });
    expect(load.ok ? [] : load.errors).toEqual([
      "top_pairs.json: pairs.0.leader: 'DOGE-USDT-PERP' is not a configured symbol",
      "top_pairs.json: pairs.1: leader and lagger are both 'ETH-USDT-PERP'",
    ]);
    const extraKey = store.load({
      ...EXAMPLE,
      topFeatures: JSON.stringify({ version: 1, features: [{ feature: "mid", weight: 1, colour: "red" }] }),
    });
    expect(extraKey.ok).toBe(false);
  });

  it("accepts other spellings through the registry's resolver", () => {
    const resolve = (spelling: string) => ({ BTC: BTC.id, ETH: ETH.id })[spelling];
    const store = new ArtifactStore(SYMBOLS, [...FEATURES], resolve);
    const load = store.load({
      topPairs: JSON.stringify({ version: 1, pairs: [{ leader: "BTC", lagger: "ETH" }] }),
      topFeatures: null,
      baselines: null,
    });
    expect(load.set.pairs).toEqual([{ leader: BTC.id, lagger: ETH.id, weight: 1, expectedTauS: null }]);
  });

  it("fills a missing file with its default while the others load", () => {
    const load = new ArtifactStore(SYMBOLS, [...FEATURES]).load({
      topPairs: null,
      topFeatures: EXAMPLE.topFeatures,
      baselines: null,
    });
    expect(load.ok).toBe(true);
    expect(load.set.pairs).toHaveLength(6);
    expect(load.set.featureWeights.get("mid")).toBe(1);
  });

  it("refuses a feature file that weighs none of the configured features", () => {
    const store = new ArtifactStore(SYMBOLS, [...FEATURES]);
    const load = store.load({
      ...EXAMPLE,
      topFeatures: JSON.stringify({ version: 1, features: [{ feature: "ofi", weight: 1 }] }),
    });
    expect(load.ok).toBe(false);
  });
});
