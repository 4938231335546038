import { describe, expect, it } from "vitest";
import {
  fnv1a,
  pairsOfShard,
  ShardCore,
  type PairRef,
  type ShardCoreConfig,
} from "../../src/actors/estimator/shard.js";
import { OnlineHyEstimator } from "../../src/actors/estimator/online.js";
import { DEFAULT_HY_PARAMS, type HyParams } from "../../src/actors/estimator/params.js";
import type { HyResult } from "../../src/actors/estimator/scan.js";
import type { Book, Trade } from "../../src/protocol/market-data.js";
import type { PairScan, PairsScanned } from "../../src/protocol/signals.js";
import { seededRandom, standardNormal } from "../../bench/synthetic-ticks.js";
import { book, MS, S, T0, trade } from "../fixtures/strategy.js";

const HY: HyParams = { ...DEFAULT_HY_PARAMS, inferenceLookbackSeconds: 30, lagMinS: -2, lagMaxS: 2, lagStepS: 0.05 };
const SYMBOLS = [
  { id: 0, symbol: "BTC-USDT-PERP" },
  { id: 1, symbol: "ETH-USDT-PERP" },
  { id: 2, symbol: "SOL-USDT-PERP" },
];
const ALL_PAIRS: PairRef[] = SYMBOLS.flatMap((a) =>
  SYMBOLS.filter((b) => b.id !== a.id).map((b) => ({ leader: a.id, lagger: b.id })),
);

function singleShard(over: Partial<ShardCoreConfig> = {}): ShardCore {
  return new ShardCore({
    shardIndex: 0,
    shardCount: 1,
    symbols: SYMBOLS,
    pairs: ALL_PAIRS,
    features: ["trade", "mid"],
    hy: HY,
    baseNs: T0,
    ...over,
  });
}

type Tick = { kind: "trade"; msg: Trade } | { kind: "book"; msg: Book };

/**
 * BTC (0) and ETH (1) on a millisecond clock for `seconds`: ETH's latent price copies BTC's 500 ms later plus
 * noise; trades and books interleave in time order. Returns the ticks and the time of a BTC trade near the end.
 */
function leadLagTicks(seed: number, seconds: number): { ticks: Tick[]; jumpTsNs: bigint } {
  const random = seededRandom(seed);
  const btc: number[] = [];
  let x = 0;
  for (let ms = 0; ms <= seconds * 1000; ms++) {
    x += 1e-4 * Math.sqrt(1e-3) * standardNormal(random);
    btc.push(x);
  }
  const ticks: Tick[] = [];
  let jumpTsNs = 0n;
  for (let ms = 600; ms <= seconds * 1000; ms++) {
    const t = T0 + BigInt(ms) * MS;
    if (random() < 0.2) {
      ticks.push({ kind: "trade", msg: trade(0, t, 100 * Math.exp(btc[ms])) });
      jumpTsNs = t;
    }
    if (random() < 0.1)
      ticks.push({ kind: "trade", msg: trade(1, t, 50 * Math.exp(btc[ms - 500] + 3e-6 * standardNormal(random))) });
    if (random() < 0.1) ticks.push({ kind: "book", msg: book(0, t, 100 * Math.exp(btc[ms])) });
    if (random() < 0.05) ticks.push({ kind: "book", msg: book(1, t, 50 * Math.exp(btc[ms - 500])) });
  }
  return { ticks, jumpTsNs };
}

function apply(shard: ShardCore, tick: Tick): void {
  if (tick.kind === "trade") shard.onTrade(tick.msg);
  else shard.onBook(tick.msg);
}

/** The shard's scan of a jump at `jumpTsNs`, taken now (whatever ticks it has applied since). */
function asked(shard: ShardCore, leader: number, jumpTsNs: bigint): PairsScanned {
  return shard.scanJump(leader, jumpTsNs);
}

function expectSame(answer: PairScan | undefined, reference: HyResult): void {
  expect(answer).toBeDefined();
  expect(answer!.status).toBe(reference.status);
  expect(answer!.tauStarS).toBe(reference.tauStarS);
  expect(answer!.nLeader).toBe(reference.nLeader);
  expect(answer!.nLagger).toBe(reference.nLagger);
  expect(answer!.rhoStar).toBeCloseTo(reference.rhoStar, 12);
  expect(answer!.lls).toBeCloseTo(reference.lls, 9);
  expect(answer!.passes).toBe(reference.passes);
}

describe("estimator shard: pair assignment", () => {
  it("hashes with 32-bit FNV-1a", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });

  it("assigns pairs stably, whatever their order, and balances shards to within one pair", () => {
    const names = ["BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX", "LINK"];
    const pairs = names.flatMap((_, a) =>
      names.map((_, b) => ({ leader: a, lagger: b })).filter((p) => p.leader !== p.lagger),
    );
    const symbolOf = (id: number) => names[id];
    const shards = [0, 1, 2].map((i) => pairsOfShard(pairs, symbolOf, i, 3));
    expect(shards.map((s) => s.length)).toEqual([14, 14, 14]);
    expect(pairsOfShard([...pairs].reverse(), symbolOf, 1, 3)).toEqual(shards[1]);
    expect(pairsOfShard(pairs, symbolOf, 0, 1)).toHaveLength(42);
  });

  it("partitions the pairs over two shards", () => {
    const symbols = ["BTC", "ETH", "SOL", "XRP", "DOGE", "AVAX"].map((symbol, id) => ({ id, symbol }));
    const pairs = symbols.flatMap((a) =>
      symbols.filter((b) => b.id !== a.id).map((b) => ({ leader: a.id, lagger: b.id })),
    );
    const cores = [0, 1].map(
      (shardIndex) => new ShardCore({ shardIndex, shardCount: 2, symbols, pairs, features: ["trade"], hy: HY }),
    );
    const keys = cores.map((c) => c.pairs.map((p) => `${p.leader}|${p.lagger}`));
    expect(keys[0].length).toBeGreaterThan(0);
    expect(keys[1].length).toBeGreaterThan(0);
    expect(keys[0].filter((k) => keys[1].includes(k))).toEqual([]);
    expect([...keys[0], ...keys[1]].sort()).toEqual(pairs.map((p) => `${p.leader}|${p.lagger}`).sort());
    expect(pairsOfShard(pairs, (id) => symbols[id].symbol, 1, 2)).toEqual(cores[1].pairs);
  });

  it("answers a scan for a leader it holds no pair of with no results", () => {
    const shard = new ShardCore({
      shardIndex: 0,
      shardCount: 1,
      symbols: SYMBOLS,
      pairs: [{ leader: 0, lagger: 1 }],
      features: ["trade"],
      hy: HY,
    });
    const answer = asked(shard, 1, T0);
    expect(answer).toMatchObject({
      type: "PairsScanned",
      shard: 0,
      shardCount: 1,
      leader: 1,
      results: [],
    });
  });
});

describe("estimator shard: scans see the window ending just before the jump tick", () => {
  it("answers from the pre-tick snapshot: equal to a replica stopped before the tick", () => {
    const { ticks, jumpTsNs } = leadLagTicks(11, 40);
    const jumpAt = ticks.findIndex((t) => t.kind === "trade" && t.msg.instrument === 0 && t.msg.tsNs === jumpTsNs);
    const shard = singleShard();
    const replica = new OnlineHyEstimator(HY, { baseNs: T0 });
    ticks.forEach((tick, i) => {
      apply(shard, tick);
      if (i >= jumpAt || tick.kind !== "trade") return;
      if (tick.msg.instrument === 0) replica.onLeader(tick.msg.tsNs, Math.log(tick.msg.price));
      if (tick.msg.instrument === 1) replica.onLagger(tick.msg.tsNs, Math.log(tick.msg.price));
    });
    // The jump tick is the last BTC trade; a few ETH ticks after it are applied too.
    const answer = asked(shard, 0, jumpTsNs);
    const reference = replica.evaluateBeforeJump(jumpTsNs);
    expect(reference.status).toBe("ok");
    expectSame(
      answer.results.find((r) => r.lagger === 1 && r.feature === "trade"),
      reference,
    );
    expect(answer.results.map((r) => `${r.lagger}/${r.feature}`).sort()).toEqual([
      "1/mid",
      "1/trade",
      "2/mid",
      "2/trade",
    ]);
  });

  it("answers from the snapshot after several later leader ticks, and the replica agrees", () => {
    const { ticks } = leadLagTicks(12, 40);
    const btcTrades = ticks.filter((t) => t.kind === "trade" && t.msg.instrument === 0);
    const jumpTsNs = btcTrades[btcTrades.length - 10].msg.tsNs;
    const shard = singleShard();
    const replica = new OnlineHyEstimator(HY, { baseNs: T0 });
    let stopped = false;
    for (const tick of ticks) {
      apply(shard, tick);
      if (tick.kind !== "trade") continue;
      if (tick.msg.instrument === 0 && tick.msg.tsNs === jumpTsNs) stopped = true;
      if (stopped) continue;
      if (tick.msg.instrument === 0) replica.onLeader(tick.msg.tsNs, Math.log(tick.msg.price));
      if (tick.msg.instrument === 1) replica.onLagger(tick.msg.tsNs, Math.log(tick.msg.price));
    }
    const answer = asked(shard, 0, jumpTsNs);
    expectSame(
      answer.results.find((r) => r.lagger === 1 && r.feature === "trade"),
      replica.evaluateBeforeJump(jumpTsNs),
    );
  });

  it("evaluates the live state when the scan arrives before the jump tick", () => {
    const { ticks, jumpTsNs } = leadLagTicks(13, 40);
    const shard = singleShard();
    const replica = new OnlineHyEstimator(HY, { baseNs: T0 });
    for (const tick of ticks) {
      if (tick.kind === "trade" && tick.msg.tsNs >= jumpTsNs) break;
      apply(shard, tick);
      if (tick.kind === "trade" && tick.msg.instrument === 0) replica.onLeader(tick.msg.tsNs, Math.log(tick.msg.price));
      if (tick.kind === "trade" && tick.msg.instrument === 1) replica.onLagger(tick.msg.tsNs, Math.log(tick.msg.price));
    }
    const answer = asked(shard, 0, jumpTsNs);
    expectSame(
      answer.results.find((r) => r.lagger === 1 && r.feature === "trade"),
      replica.evaluateBeforeJump(jumpTsNs),
    );
  });

  it("reports expired once the jump is past the live slack and its snapshot has rolled out of the ring", () => {
    const { ticks } = leadLagTicks(14, 20);
    const jumpTsNs = T0 + 15n * S;
    const shard = singleShard({ snapshotDepth: 4, features: ["trade"] });
    for (const tick of ticks) apply(shard, tick);
    const answer = asked(shard, 0, jumpTsNs);
    expect(answer.results.find((r) => r.lagger === 1)).toMatchObject({ status: "expired", passes: false });
    expect(shard.counters.expired).toBe(2);
  });

  it("answers a jump between two leader mid updates exactly from the live state", () => {
    const { ticks, jumpTsNs } = leadLagTicks(16, 40);
    const shard = singleShard();
    const replica = new OnlineHyEstimator(HY, { baseNs: T0 });
    for (const tick of ticks) {
      const leaderBookAfterJump = tick.kind === "book" && tick.msg.instrument === 0 && tick.msg.tsNs >= jumpTsNs;
      if (!leaderBookAfterJump) apply(shard, tick);
      if (tick.kind !== "book" || tick.msg.tsNs >= jumpTsNs) continue;
      if (tick.msg.instrument === 0) replica.onLeader(tick.msg.tsNs, Math.log(tick.msg.mid));
      if (tick.msg.instrument === 1) replica.onLagger(tick.msg.tsNs, Math.log(tick.msg.mid));
    }
    // ETH books after the jump were applied; the answer must not see them.
    const answer = asked(shard, 0, jumpTsNs);
    expectSame(
      answer.results.find((r) => r.lagger === 1 && r.feature === "mid"),
      replica.evaluateBeforeJump(jumpTsNs),
    );
  });

  it("answers from the snapshot of the first leader update after the jump when the live state has moved on", () => {
    const { ticks, jumpTsNs } = leadLagTicks(17, 40);
    const shard = singleShard();
    for (const tick of ticks) apply(shard, tick);
    const laterBooks = ticks.filter(
      (t) => t.kind === "book" && t.msg.instrument === 0 && t.msg.tsNs > jumpTsNs - 200n * MS,
    );
    expect(laterBooks.length).toBeGreaterThan(0);
    const mid = asked(shard, 0, jumpTsNs - 200n * MS).results.find((r) => r.lagger === 1 && r.feature === "mid");
    expect(mid?.status).toBe("ok");
  });

  it.each(["before", "after"] as const)(
    "pushes the scan computed %s the jump tick is applied: the exact window, though later ticks moved the state " +
      "on",
    (when) => {
      const { ticks } = leadLagTicks(18, 40);
      const btcTrades = ticks.filter((t) => t.kind === "trade" && t.msg.instrument === 0);
      const jumpTsNs = btcTrades[btcTrades.length - 40].msg.tsNs;
      const shard = singleShard();
      const tradeReplica = new OnlineHyEstimator(HY, { baseNs: T0 });
      const midReplica = new OnlineHyEstimator(HY, { baseNs: T0 });
      let pushed: PairsScanned | undefined;
      for (const tick of ticks) {
        const jumpTick = tick.kind === "trade" && tick.msg.instrument === 0 && tick.msg.tsNs === jumpTsNs;
        if (jumpTick && when === "before") pushed = shard.scanJump(0, jumpTsNs);
        apply(shard, tick);
        if (jumpTick && when === "after") pushed = shard.scanJump(0, jumpTsNs);
        if (tick.msg.tsNs >= jumpTsNs) continue;
        const replica = tick.kind === "trade" ? tradeReplica : midReplica;
        const value = Math.log(tick.kind === "trade" ? tick.msg.price : tick.msg.mid);
        if (tick.msg.instrument === 0) replica.onLeader(tick.msg.tsNs, value);
        if (tick.msg.instrument === 1) replica.onLagger(tick.msg.tsNs, value);
      }
      expect(pushed).toMatchObject({ type: "PairsScanned", shard: 0, shardCount: 1, leader: 0, jumpTsNs });
      expectSame(
        pushed?.results.find((r) => r.lagger === 1 && r.feature === "trade"),
        tradeReplica.evaluateBeforeJump(jumpTsNs),
      );
      expectSame(
        pushed?.results.find((r) => r.lagger === 1 && r.feature === "mid"),
        midReplica.evaluateBeforeJump(jumpTsNs),
      );
      expect(shard.counters).toMatchObject({ scans: 1, notWarm: 0 });
    },
  );

  it("pushes an empty answer for a leader it holds no pair of, so the strategy knows this shard is done", () => {
    const shard = new ShardCore({
      shardIndex: 1,
      shardCount: 2,
      symbols: SYMBOLS,
      pairs: [{ leader: 0, lagger: 1 }],
      features: ["trade"],
      hy: HY,
      baseNs: T0,
    });
    expect(shard.scanJump(1, T0 + S)).toEqual({
      type: "PairsScanned",
      shard: 1,
      shardCount: 2,
      leader: 1,
      jumpTsNs: T0 + S,
      results: [],
    });
    expect(shard.notWarm(1, T0 + S).results).toEqual([]);
  });

  it("answers not_warm for each pair and feature the jump's leader leads here, scanning nothing", () => {
    const { ticks, jumpTsNs } = leadLagTicks(19, 20);
    const shard = singleShard();
    for (const tick of ticks) apply(shard, tick);
    const notWarm = shard.notWarm(0, jumpTsNs);
    expect(notWarm).toMatchObject({ type: "PairsScanned", shard: 0, shardCount: 1, leader: 0, jumpTsNs });
    const none = { tauStarS: 0, rhoStar: 0, lls: 0, nLeader: 0, nLagger: 0, passes: false };
    expect(notWarm.results).toEqual(
      expect.arrayContaining(
        [1, 2].flatMap((lagger) =>
          (["trade", "mid"] as const).map((feature) => ({ lagger, feature, status: "not_warm", ...none })),
        ),
      ),
    );
    expect(notWarm.results).toHaveLength(4);
    expect(shard.counters).toMatchObject({ scans: 0, notWarm: 1, expired: 0 });
    // The shard can still scan the same jump once warm: nothing was evicted or kept.
    expect(shard.scanJump(0, jumpTsNs).results.find((r) => r.lagger === 1 && r.feature === "trade")?.status).toBe("ok");
  });

  it("rehearses the newest leader tick's scans without changing any later answer or counter", () => {
    const { ticks } = leadLagTicks(21, 40);
    const btcTrades = ticks.filter((t) => t.kind === "trade" && t.msg.instrument === 0);
    const jumps = [btcTrades.length - 300, btcTrades.length - 120, btcTrades.length - 5].map(
      (i) => btcTrades[i].msg.tsNs,
    );
    const run = (rehearse: boolean) => {
      const shard = singleShard();
      let rehearsals = 0;
      const answers: PairScan[][] = [];
      for (const tick of ticks) {
        apply(shard, tick);
        if (jumps.includes(tick.msg.tsNs) && tick.kind === "trade" && tick.msg.instrument === 0)
          answers.push(shard.scanJump(0, tick.msg.tsNs).results);
        if (rehearse) rehearsals += shard.rehearse()?.results.length ?? 0;
      }
      return { answers, counters: { ...shard.counters }, rehearsals, last: shard.rehearse() };
    };
    const plain = run(false);
    const rehearsing = run(true);
    expect(rehearsing.answers).toEqual(plain.answers);
    expect(rehearsing.counters).toEqual(plain.counters);
    expect(rehearsing.rehearsals).toBeGreaterThan(1000);
    // The newest leader tick is a BTC one here (BTC leads both pairs), scanned for each pair and feature.
    expect(rehearsing.last?.leader).toBe(0);
    expect(rehearsing.last?.results.map((r) => `${r.lagger}:${r.feature}`).sort()).toEqual([
      "1:mid",
      "1:trade",
      "2:mid",
      "2:trade",
    ]);
  });

  it("finds the lead of a lagger that follows 500 ms later", () => {
    const { ticks, jumpTsNs } = leadLagTicks(15, 60);
    const shard = singleShard();
    for (const tick of ticks) apply(shard, tick);
    const trade01 = asked(shard, 0, jumpTsNs).results.find((r) => r.lagger === 1 && r.feature === "trade")!;
    expect(trade01.tauStarS).toBeCloseTo(0.5, 1);
    expect(trade01.passes).toBe(true);
  });

  it("skips invalid books", () => {
    const shard = singleShard();
    shard.onBook(book(0, T0, 100, { valid: false }));
    shard.onBook(book(0, T0 + MS, 100, { bidPx: [], bidSz: [] }));
    shard.onBook(book(0, T0 + 2n * MS, 100));
    expect(shard.counters).toMatchObject({ books: 1, invalidBooks: 2 });
  });
});
