/**
 * The backtest's data path without the strategy (`data_only_events_per_s`, issue 15): the replay file decoded, each
 * event through the feed core (book rebuild) and each trade and valid book into the simulated venue's core, as the
 * simulated venue actor passes them (src/actors/venues/simulated/actor.ts), with no runtime in between. Beside it, the
 * same file decoded alone (`decode_only_events_per_s`): the floor of any replay from it.
 */
import type { Config } from "../src/config/index.js";
import { FeedCore } from "../src/actors/feed/core.js";
import { incarnationIdPrefix } from "../src/actors/venues/matching/core.js";
import { SimulatedVenueCore } from "../src/actors/venues/simulated/core.js";
import { simulationModels } from "../src/actors/venues/simulated/models.js";
import { ColumnarFileSource } from "../src/backtest/sources/columnar.js";
import { WHOLE_WINDOW } from "../src/backtest/sources/open.js";
import type { ReplayEvent } from "../src/backtest/sources/source.js";
import { instrumentNamed } from "../src/model/instruments.js";
import { NS_PER_S } from "../src/model/time.js";
import { symbolRules } from "./backtest-recording.js";

export interface Rate {
  readonly events: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** Every event of the replay file to `onEvent`, timed by the wall clock and the process's CPU time. */
async function timedReplay(file: string, onEvent: (event: ReplayEvent) => void): Promise<Rate> {
  const source = await ColumnarFileSource.open(file, { window: WHOLE_WINDOW, batchSize: 20000 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let events = 0;
  try {
    for await (const batch of source.batches()) {
      events += batch.length;
      for (const event of batch) onEvent(event);
    }
  } finally {
    await source.close();
  }
  const cpu = process.cpuUsage(cpu0);
  return { events, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** The replay file decoded into replay events, nothing else. */
export function decodeOnly(file: string): Promise<Rate> {
  return timedReplay(file, () => undefined);
}

/** Decode, feed core (book rebuild) and the simulated venue's core (`backtest.simulation` of `config`). */
export function dataOnly(file: string, config: Config): Promise<Rate> {
  const simulation = config.backtest?.simulation;
  if (simulation === undefined) throw new Error("the data-only benchmark needs a backtest config");
  const registry = symbolRules();
  const venue = new SimulatedVenueCore(
    {
      venue: "hyperliquid",
      feeCurrency: () => "USDC",
      tscReportTimestamps: true,
      duplicateCancelReports: true,
      idPrefix: incarnationIdPrefix(new Uint8Array(8)),
    },
    simulationModels(simulation, (symbol) => instrumentNamed(registry, symbol)?.lotSize ?? 0),
    () => undefined,
  );
  let now = 0n;
  const feed = new FeedCore(
    { registry, lookbackNs: 0n, staleAfterNs: NS_PER_S, maxClockSkewNs: 2n * NS_PER_S },
    {
      trade: (t) => {
        const inst = registry.byId(t.instrument);
        const aggressor = t.side === 1 ? "buy" : "sell";
        if (inst) venue.onTrade(inst.engineSymbol, { price: t.price, size: t.amount, aggressor }, now);
      },
      book: (b) => {
        const inst = registry.byId(b.instrument);
        if (inst && b.valid) venue.onBook(inst.engineSymbol, b, now);
      },
    },
  );
  return timedReplay(file, (event) => {
    now = event.recvNs;
    feed.onMessage(event.topic, event.wire, event.recvNs);
  });
}
