import { randomBytes } from "node:crypto";
import { defineActor } from "../../../runtime/actor.js";
import { Channels } from "../../../protocol/channels.js";
import { parseEngineEvent, toVenueEvent } from "../../../protocol/wire/engine.js";
import { incarnationIdPrefix, PaperVenueCore, type PaperVenueState } from "./core.js";
import { bpsFees, constantLatency } from "./models.js";
import { InstrumentRegistry, instrumentNamed } from "../../../model/instruments.js";
import { venueHandlers } from "../matching/shell.js";
import type { PaperVenueSection } from "../section.js";

/**
 * The paper venue (`execution.provider: paper`): orders are serialised exactly as for the engine, matched
 * by the paper core against the feed's books, and its exec.report / exec.fill payloads are parsed by the
 * same code as the engine's. Everything downstream cannot tell paper from live.
 *
 * On start it asks the order manager for the account: positions seed its reduce-only checks, and open
 * orders it does not hold (lost with a crashed incarnation or a stopped daemon) are canceled, so the two
 * agree again. A graceful restart hands its whole state over instead. Its exchange order ids and exec ids
 * carry a random per-incarnation prefix, so no incarnation repeats another's.
 */
export default defineActor<PaperVenueSection>({
  kind: "venue",
  reads: [Channels.venueCommands, Channels.books, Channels.orderEvents, Channels.accountEvents],
  writes: [Channels.venueEvents, Channels.accountStateRequests],
  async init(ctx, restored) {
    const { latencyMs, takerBps, makerBps } = ctx.config;
    const registry = new InstrumentRegistry(ctx.config.instruments);
    const core = new PaperVenueCore(
      {
        venue: "hyperliquid",
        fees: bpsFees(takerBps, makerBps),
        latency: constantLatency(latencyMs),
        feeCurrency: (symbol) => instrumentNamed(registry, symbol)?.quote ?? "USDC",
        tscReportTimestamps: true,
        duplicateCancelReports: true,
        // Fresh per incarnation: ids never repeat those of a crashed or stopped one (the order manager keeps them).
        idPrefix: incarnationIdPrefix(randomBytes(8)),
      },
      (frame) => {
        const parsed = parseEngineEvent(frame.topic, frame.payload);
        if (!parsed.ok) return ctx.log.error({ error: parsed.error }, "paper venue produced an unparsable event");
        const event = toVenueEvent(parsed.event, ctx.now());
        if (event) ctx.send(Channels.venueEvents, event);
      },
      restored as PaperVenueState | undefined, // what this actor's own snapshot() returned, on a graceful restart
    );
    const shell = venueHandlers(ctx, registry, core, {
      label: "paper",
      arrivalDelayMs: latencyMs,
      bookTime: (book) => book.recvNs,
    });
    return { ...shell, snapshot: () => core.state() };
  },
});
