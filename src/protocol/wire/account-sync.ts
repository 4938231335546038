/**
 * The account-sync wire format, defined by leadlag (docs/account-sync.md): an account service PUBlishes
 * two-frame ZeroMQ messages, topic `account.snapshot` then one UTF-8 JSON object, version 1:
 *
 *   {"schema_version":1,"account_id":"main","seq":42,"timestamp_ns":"1763380800345678901",
 *    "balances":{"USDC":{"total":10000.5,"available":8000.0}},
 *    "positions":{"BTC-USDC-PERP":{"qty":-0.01,"entry_price":97000.5}},
 *    "margin":{"used":2000.5,"available":8000.0}}
 *
 * Unknown keys are ignored (a publisher may add fields); a missing or mistyped one refuses the snapshot.
 */
import { z } from "zod";
import type { AccountSnapshot } from "../account.js";

export const ACCOUNT_SNAPSHOT_TOPIC = "account.snapshot";
export const ACCOUNT_SYNC_SCHEMA_VERSION = 1;

const amount = z.number().finite();
/** Epoch ns: a decimal string (exact; ns exceed 2^53) or a JSON integer (rounded by JSON, harmless at ns). */
const epochNs = z.union([
  z.string().regex(/^\d{1,20}$/, "a decimal string of epoch nanoseconds"),
  z.number().int().nonnegative(),
]);

const wireSnapshot = z.object({
  schema_version: z.literal(ACCOUNT_SYNC_SCHEMA_VERSION),
  account_id: z.string().min(1),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  timestamp_ns: epochNs,
  balances: z.record(z.string().min(1), z.object({ total: amount, available: amount })),
  positions: z.record(z.string().min(1), z.object({ qty: amount, entry_price: amount.nonnegative() })),
  margin: z.object({ used: amount, available: amount }),
});
export type AccountSnapshotWire = z.input<typeof wireSnapshot>;

export type ParsedAccountSnapshot = { ok: true; snapshot: AccountSnapshot } | { ok: false; detail: string };

/** Frames of one ZeroMQ message → an `AccountSnapshot`, or why not (the zod path of the first problem). */
export function parseAccountSnapshot(frames: readonly string[], recvNs: bigint): ParsedAccountSnapshot {
  if (frames.length !== 2) return { ok: false, detail: `expected 2 frames (topic, JSON), got ${frames.length}` };
  if (frames[0] !== ACCOUNT_SNAPSHOT_TOPIC)
    return { ok: false, detail: `unexpected topic '${frames[0].slice(0, 64)}'` };
  let json: unknown;
  try {
    json = JSON.parse(frames[1]);
  } catch (err) {
    return { ok: false, detail: `invalid JSON: ${(err as Error).message}` };
  }
  const parsed = wireSnapshot.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, detail: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
  }
  const w = parsed.data;
  return {
    ok: true,
    snapshot: {
      type: "AccountSnapshot",
      accountId: w.account_id,
      seq: w.seq,
      balances: Object.entries(w.balances).map(([asset, b]) => ({ asset, total: b.total, available: b.available })),
      positions: Object.entries(w.positions).map(([symbol, p]) => ({ symbol, qty: p.qty, entryPrice: p.entry_price })),
      marginUsed: w.margin.used,
      marginAvailable: w.margin.available,
      tsNs: BigInt(w.timestamp_ns),
      recvNs,
    },
  };
}

/** The JSON a publisher sends for `snapshot` (tests, the emulated publisher, docs examples). */
export function serializeAccountSnapshot(snapshot: Omit<AccountSnapshot, "type" | "recvNs">): string {
  const wire: AccountSnapshotWire = {
    schema_version: ACCOUNT_SYNC_SCHEMA_VERSION,
    account_id: snapshot.accountId,
    seq: snapshot.seq,
    timestamp_ns: snapshot.tsNs.toString(),
    balances: Object.fromEntries(snapshot.balances.map((b) => [b.asset, { total: b.total, available: b.available }])),
    positions: Object.fromEntries(snapshot.positions.map((p) => [p.symbol, { qty: p.qty, entry_price: p.entryPrice }])),
    margin: { used: snapshot.marginUsed, available: snapshot.marginAvailable },
  };
  return JSON.stringify(wire);
}
