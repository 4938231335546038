/**
 * Serialisers for the marketstream payloads, byte-compatible with marketstream's RapidJSON `Writer`:
 * no whitespace, keys in the wire order, doubles via `formatDouble` (`97001.0`, `1e-7`), integers plain.
 * Used by the synthetic market and by tests. Strings are JSON-escaped (marketstream's are plain ASCII).
 */
import { formatDouble as d } from "./rapidjson-number.js";
import type {
  MarketstreamBookCheckpoint,
  MarketstreamBookDelta,
  MarketstreamBookSnapshot,
  MarketstreamTrade,
  WireLevel,
} from "./marketstream-types.js";
import { NS_PER_S } from "../../model/time.js";

const s = JSON.stringify;

export function serializeTrade(t: MarketstreamTrade): string {
  return (
    `{"receipt_timestamp_ns":${t.receipt_timestamp_ns},"symbol":${s(t.symbol)},"exchange":${s(t.exchange)},` +
    `"price":${d(t.price)},"amount":${d(t.amount)},"side":${s(t.side)},"trade_id":${s(t.trade_id)},` +
    `"transaction_price":${d(t.transaction_price)},"trading_volume":${d(t.trading_volume)},` +
    `"volatility_transaction_price":${d(t.volatility_transaction_price)},"window_size":${t.window_size},` +
    `"seq":${t.seq},"schema_version":${t.schema_version},"preprocessing_timestamp":${s(t.preprocessing_timestamp)}}`
  );
}

export function serializeBookSnapshot(b: MarketstreamBookSnapshot): string {
  return (
    `{"receipt_timestamp_ns":${b.receipt_timestamp_ns},` +
    `"symbol":${s(b.symbol)},"exchange":${s(b.exchange)},"seq":${b.seq},` +
    `"best_bid_price":${d(b.best_bid_price)},"best_bid_size":${d(b.best_bid_size)},` +
    `"best_ask_price":${d(b.best_ask_price)},"best_ask_size":${d(b.best_ask_size)},` +
    `"midpoint":${d(b.midpoint)},"relative_spread":${d(b.relative_spread)},"breadth":${d(b.breadth)},` +
    `"imbalance_lvl1":${d(b.imbalance_lvl1)},"bid_depth_n":${d(b.bid_depth_n)},"ask_depth_n":${d(b.ask_depth_n)},` +
    `"depth_n":${d(b.depth_n)},"volatility_mid":${d(b.volatility_mid)},"ofi_rolling":${d(b.ofi_rolling)},` +
    `"window_size":${b.window_size},"schema_version":${b.schema_version},` +
    `"preprocessing_timestamp":${s(b.preprocessing_timestamp)},"bids":${levels(b.bids)},"asks":${levels(b.asks)}}`
  );
}

export function serializeBookDelta(m: MarketstreamBookDelta): string {
  return (
    `{"symbol":${s(m.symbol)},"exchange":${s(m.exchange)},` +
    `"receipt_timestamp_ns":${m.receipt_timestamp_ns},"seq":${m.seq},` +
    `"side":[${m.side.join(",")}],"px":${doubles(m.px)},"sz":${doubles(m.sz)}}`
  );
}

export function serializeBookCheckpoint(m: MarketstreamBookCheckpoint): string {
  return (
    `{"symbol":${s(m.symbol)},"exchange":${s(m.exchange)},` +
    `"receipt_timestamp_ns":${m.receipt_timestamp_ns},"seq":${m.seq},` +
    `"bid_px":${doubles(m.bid_px)},"bid_sz":${doubles(m.bid_sz)},` +
    `"ask_px":${doubles(m.ask_px)},"ask_sz":${doubles(m.ask_sz)}}`
  );
}

function doubles(values: readonly number[]): string {
  let out = "[";
  for (let i = 0; i < values.length; i++) out += (i ? "," : "") + d(values[i]);
  return out + "]";
}

function levels(values: readonly WireLevel[]): string {
  let out = "[";
  for (let i = 0; i < values.length; i++) out += `${i ? "," : ""}[${d(values[i][0])},${d(values[i][1])}]`;
  return out + "]";
}

/** `preprocessing_timestamp`: UTC wall time of `ns`, whole seconds, `YYYY-MM-DDTHH:MM:SSZ`. */
export function isoSeconds(ns: bigint): string {
  return new Date(Number(ns / NS_PER_S) * 1000).toISOString().slice(0, 19) + "Z";
}
