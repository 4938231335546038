import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AccountSyncCore } from "../../src/actors/account-sync/core.js";
import {
  ACCOUNT_SNAPSHOT_TOPIC,
  parseAccountSnapshot,
  serializeAccountSnapshot,
} from "../../src/protocol/wire/account-sync.js";
import type { AccountSnapshot } from "../../src/protocol/account.js";
import { AccountSnapshot as AccountSnapshotDef } from "../../src/protocol/account.js";
import { createCodec } from "../../src/protocol/catalog.js";

const S = 1_000_000_000n;
const T0 = 1_765_000_000n * S;
const RECV = T0 + 5_000n;

function snapshot(over: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    type: "AccountSnapshot",
    accountId: "main",
    seq: 1,
    balances: [{ asset: "USDC", total: 10_000.5, available: 8_000 }],
    positions: [{ symbol: "BTC-USDC-PERP", qty: -0.01, entryPrice: 97_000.5 }],
    marginUsed: 2_000.5,
    marginAvailable: 8_000,
    tsNs: T0,
    recvNs: RECV,
    ...over,
  };
}
const frames = (s: AccountSnapshot): string[] => [ACCOUNT_SNAPSHOT_TOPIC, serializeAccountSnapshot(s)];

describe("account-sync wire format (docs/account-sync.md)", () => {
  it("parses the documented example exactly, the nanosecond timestamp without rounding", () => {
    const payload =
      '{"schema_version":1,"account_id":"main","seq":42,"timestamp_ns":"1763380800345678901",' +
      '"balances":{"USDC":{"total":10000.5,"available":8000.0}},' +
      '"positions":{"BTC-USDC-PERP":{"qty":-0.01,"entry_price":97000.5}},' +
      '"margin":{"used":2000.5,"available":8000.0}}';
    const parsed = parseAccountSnapshot([ACCOUNT_SNAPSHOT_TOPIC, payload], RECV);
    expect(parsed).toEqual({
      ok: true,
      snapshot: snapshot({ seq: 42, tsNs: 1763380800345678901n }),
    });
  });

  it("round-trips any snapshot through the JSON and through the thread codec", () => {
    // JSON has no negative zero.
    const finite = fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
    const arb = fc.record({
      seq: fc.nat(),
      tsNs: fc.bigInt({ min: 0n, max: 10n ** 19n }),
      balances: fc.uniqueArray(
        fc.record({ asset: fc.constantFrom("USDC", "BTC", "ETH"), total: finite, available: finite }),
        {
          selector: (b) => b.asset,
        },
      ),
      positions: fc.uniqueArray(
        fc.record({
          symbol: fc.constantFrom("BTC-USDC-PERP", "ETH"),
          qty: finite,
          entryPrice: fc.double({ min: 0, max: 1e6, noNaN: true }),
        }),
        { selector: (p) => p.symbol },
      ),
      marginUsed: finite,
      marginAvailable: finite,
    });
    const codec = createCodec();
    fc.assert(
      fc.property(arb, (fields) => {
        const s = snapshot(fields);
        const parsed = parseAccountSnapshot(frames(s), RECV);
        expect(parsed).toEqual({ ok: true, snapshot: s });
        const decoded = codec.decode(Uint8Array.from(codec.encode(s)));
        expect(decoded.ok && decoded.message).toEqual(s);
        expect(AccountSnapshotDef.schema.safeParse(s).success).toBe(true);
      }),
    );
  });

  it.each([
    [["account.snapshot"], "expected 2 frames"],
    [["account.other", "{}"], "unexpected topic"],
    [["account.snapshot", "{not json"], "invalid JSON"],
    [["account.snapshot", "null"], "(root)"],
    [["account.snapshot", '{"schema_version":2}'], "schema_version"],
  ])("refuses %j, naming the problem (%s)", (input, problem) => {
    const parsed = parseAccountSnapshot(input, RECV);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.detail).toContain(problem);
  });

  it("names the path of a mistyped field", () => {
    const bad = JSON.parse(serializeAccountSnapshot(snapshot()));
    bad.positions["BTC-USDC-PERP"].qty = "0.01";
    const parsed = parseAccountSnapshot([ACCOUNT_SNAPSHOT_TOPIC, JSON.stringify(bad)], RECV);
    expect(!parsed.ok && parsed.detail).toMatch(/^positions\.BTC-USDC-PERP\.qty: /);
  });
});

describe("AccountSyncCore", () => {
  const core = () => new AccountSyncCore({ accountId: "main", logEveryNs: 10n * S });

  it("passes a snapshot of this account", () => {
    expect(core().onMessage(frames(snapshot()), RECV)).toEqual({ kind: "accepted", snapshot: snapshot() });
  });

  it("drops a snapshot of another account, naming both", () => {
    const verdict = core().onMessage(frames(snapshot({ accountId: "other" })), RECV);
    expect(verdict).toMatchObject({ kind: "dropped", reason: "foreign_account", log: true });
    expect(verdict.kind === "dropped" && verdict.detail).toBe("account 'other', expected 'main'");
  });

  it("drops a duplicate or an older snapshot as stale, and accepts a restarted publisher's (seq 1, later time)", () => {
    const c = core();
    expect(c.onMessage(frames(snapshot({ seq: 5 })), RECV).kind).toBe("accepted");
    expect(c.onMessage(frames(snapshot({ seq: 5 })), RECV)).toMatchObject({ reason: "stale" });
    expect(c.onMessage(frames(snapshot({ seq: 4, tsNs: T0 - S })), RECV)).toMatchObject({ reason: "stale" });
    expect(c.onMessage(frames(snapshot({ seq: 1, tsNs: T0 + S })), RECV).kind).toBe("accepted");
    expect(c.lastAccepted()).toEqual({ seq: 1, tsNs: T0 + S });
  });

  it("logs a drop once per interval and reason, with the number suppressed since the last line", () => {
    const c = core();
    const garbage = ["account.snapshot", "garbage"];
    const logged = (at: bigint) => {
      const v = c.onMessage(garbage, at);
      return v.kind === "dropped" ? [v.log, v.suppressed] : undefined;
    };
    expect(logged(RECV)).toEqual([true, 0]);
    expect(logged(RECV + S)).toEqual([false, 0]);
    expect(logged(RECV + 2n * S)).toEqual([false, 0]);
    // Another reason has its own interval.
    expect(c.onMessage(frames(snapshot({ accountId: "x" })), RECV + 3n * S)).toMatchObject({ log: true });
    expect(logged(RECV + 10n * S)).toEqual([true, 2]);
    expect(logged(RECV + 11n * S)).toEqual([false, 0]);
  });

  it("never throws on arbitrary frames: each is accepted or dropped", () => {
    const c = core();
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 3 }), (input) => {
        expect(["accepted", "dropped"]).toContain(c.onMessage(input, RECV).kind);
      }),
    );
  });
});
