import { describe, expect, it } from "vitest";
import { decisionSummary } from "../../src/actors/strategy/decision-summary.js";
import { decisionRecord } from "../../src/actors/strategy/records.js";

describe("decision summaries for the status page", () => {
  it("keeps the gate and its reason, dates the decision, and turns numbers not computed into null", () => {
    const tsNs = BigInt(Date.UTC(2026, 11, 6, 18, 0, 1, 250)) * 1_000_000n;
    const stopped = decisionRecord(tsNs, 7, "BTC-USDT-PERP", "ETH-USDT-PERP", tsNs - 5_000_000n, 61.2, {
      outcome: "fee_gate",
      reason: "expected move 3.9 bps <= cost 15 bps",
    });
    expect(decisionSummary(stopped)).toEqual({
      at: "2026-12-06T18:00:01.250Z",
      leader: "BTC-USDT-PERP",
      lagger: "ETH-USDT-PERP",
      jump_bps: 61.2,
      outcome: "fee_gate",
      reason: "expected move 3.9 bps <= cost 15 bps",
      side: "",
      size: 0,
      notional_usd: 0,
    });
    const notScanned = decisionRecord(tsNs, 8, "BTC-USDT-PERP", "", tsNs, NaN, { outcome: "not_leader", reason: "" });
    expect(decisionSummary({ ...notScanned, notionalUsd: Infinity })).toMatchObject({
      jump_bps: null,
      notional_usd: null,
    });
    expect(JSON.parse(JSON.stringify(decisionSummary(stopped)))).toEqual(decisionSummary(stopped));
  });
});
