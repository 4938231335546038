/**
 * Hostile market-data frames in the marketstream wire's shape: random, malformed, oversized, out of order,
 * duplicated, badly framed. Each copies and bends a recent legitimate frame, so it passes the daemon's topic
 * subscription (ZeroMQ filters by prefix) and reaches the feed. Mutations keep the old frame's seq and
 * receipt time, so none can pass for news and push the legitimate flow aside: what they test is that a bad
 * frame is a counted drop and nothing more. Seeded: the same seed gives the same frames.
 *
 * The poison frames of issue 13 (findings 3 and 4) are separate functions: they are news on purpose.
 */
import type { LegitFrame, OutFrame } from "./market-publisher.js";

export const HOSTILE_KINDS = [
  "random_bytes",
  "truncated_json",
  "empty_number",
  "wrong_type",
  "out_of_range",
  "not_an_object",
  "invalid_utf8",
  "deep_nesting",
  "duplicate",
  "out_of_order",
  "unknown_symbol",
  "topic_mismatch",
  "bad_framing",
  "oversized",
] as const;

export type HostileKind = (typeof HOSTILE_KINDS)[number];

/**
 * Oversized (2 MB) and deeply nested (up to 200 KB, 100 k levels) frames cost the parser 40-170 ms each
 * where an ordinary frame costs 2 µs: they come at a fixed spacing, one in this many, so that the mix
 * tests how each is refused rather than how many the main thread can parse per second.
 */
const HEAVY_EVERY = 500;
const HEAVY_KINDS: readonly HostileKind[] = ["oversized", "deep_nesting"];

/** mulberry32: small, fast, and enough for picking mutations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HostileBatch {
  readonly frames: OutFrame[];
  readonly byKind: Map<HostileKind, number>;
  readonly bytes: number;
}

/**
 * `count` hostile frames made from `recent` legitimate ones (at least two needed); `first` is the number of
 * hostile frames sent before, which places the heavy ones.
 */
export function hostileFrames(
  recent: readonly LegitFrame[],
  count: number,
  random: () => number,
  first = 0,
): HostileBatch {
  if (recent.length < 2) throw new Error("hostile frames need at least two recent legitimate frames to bend");
  const frames: OutFrame[] = [];
  const byKind = new Map<HostileKind, number>();
  let bytes = 0;
  const light = HOSTILE_KINDS.filter((k) => !HEAVY_KINDS.includes(k));
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const kind: HostileKind =
      n % HEAVY_EVERY === HEAVY_EVERY - 1
        ? HEAVY_KINDS[Math.floor(n / HEAVY_EVERY) % HEAVY_KINDS.length]
        : pickFrom(light, random);
    const frame = hostileFrame(kind, recent, random);
    frames.push(frame);
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    for (const p of frame.parts) bytes += typeof p === "string" ? Buffer.byteLength(p) : p.length;
  }
  return { frames, byKind, bytes };
}

function pickFrom<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)];
}

/** One hostile frame of `kind`, bent from a recent legitimate frame other than the newest. */
export function hostileFrame(kind: HostileKind, recent: readonly LegitFrame[], random: () => number): OutFrame {
  const pick = <T>(items: readonly T[]): T => pickFrom(items, random);
  // The newest frame is left alone: a copy of it would be a duplicate, not a replay.
  const base = pick(recent.slice(0, -1));
  const at = (payload: string | Buffer, topic = base.topic): OutFrame => ({
    socket: base.socket,
    parts: [topic, payload],
  });
  const numberKeys = [...base.payload.matchAll(/"(\w+)":(-?[\d.e+-]+)/g)].map((m) => m[1]);
  const replaceValue = (key: string, value: string) =>
    base.payload.replace(new RegExp(`"${key}":(-?[\\d.e+-]+|"[^"]*"|\\[[^\\]]*\\])`), `"${key}":${value}`);
  switch (kind) {
    case "random_bytes": {
      const bytes = Buffer.alloc(1 + Math.floor(random() * 2048));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      return at(bytes);
    }
    case "truncated_json":
      return at(base.payload.slice(0, Math.floor(random() * base.payload.length)));
    case "empty_number":
      // What marketstream writes for a NaN (wire doc §1.3): `"relative_spread":,`.
      return at(replaceValue(pick(numberKeys), ""));
    case "wrong_type":
      return at(replaceValue(pick(numberKeys), pick(['"97000.0"', "null", "true", "{}", '"NaN"', "[1,2]"])));
    case "out_of_range":
      return at(
        replaceValue(
          pick(numberKeys),
          pick(["1e999", "-1e999", "-5.0", "0.0", "1e300", "-1", "9007199254740993", "1.5e20"]),
        ),
      );
    case "not_an_object":
      return at(pick(["[]", "42", '"text"', "null", "", "{", "}", "[{]}"]));
    case "invalid_utf8":
      return at(
        Buffer.concat([
          Buffer.from(base.payload.slice(0, 20)),
          Buffer.from([0xff, 0xfe, 0xc0, 0x80]),
          Buffer.from(base.payload.slice(20)),
        ]),
      );
    case "deep_nesting": {
      const depth = 10_000 + Math.floor(random() * 90_000);
      return at(`{"receipt_timestamp_ns":${"[".repeat(depth)}${"]".repeat(depth)}}`);
    }
    case "duplicate":
      return at(base.payload);
    case "out_of_order":
      return at(pick(recent.slice(0, Math.max(1, recent.length - 20))).payload);
    case "unknown_symbol":
      // Still matches the subscribed prefix, so it reaches the feed.
      return at(base.payload, `${base.topic}${pick(["X", "-PERP", "\u0000", "/../../etc", "😀"])}`);
    case "topic_mismatch": {
      const other = recent.find((f) => f.topic !== base.topic && f.socket === base.socket);
      return at(other ? other.payload : base.payload.replace(/"symbol":"[^"]*"/, '"symbol":"NOPE-USDC-PERP"'));
    }
    case "bad_framing":
      return { socket: base.socket, parts: random() < 0.5 ? [base.topic] : [base.topic, base.payload, base.payload] };
    case "oversized": {
      if (random() < 0.5) return at(`{"symbol":"${"A".repeat(2 * 1024 * 1024)}"}`);
      const n = 100_000;
      const levels = Array.from({ length: n }, (_, i) => String(90000 + i) + ".0").join(",");
      const sides = Array.from({ length: n }, (_, i) => String(i & 1)).join(",");
      return at(replaceValue("px", `[${levels}]`).replace(/"side":\[[^\]]*\]/, `"side":[${sides}]`));
    }
  }
}

/** Finding 3: a checkpoint stamped `aheadNs` in the future, with the next seq of its stream. */
export function futureCheckpoint(latest: LegitFrame, aheadNs: bigint): OutFrame {
  return poison(latest, latest.seq + 1, latest.tsNs + aheadNs);
}

/** Finding 4: a trade with a huge seq and a receipt time `aheadNs` ahead. */
export function farAheadTrade(latest: LegitFrame, seq: number, aheadNs: bigint): OutFrame {
  return poison(latest, seq, latest.tsNs + aheadNs);
}

/** Finding 3's second part: a receipt time above 2^64, next seq. */
export function timestampAbove2To64(latest: LegitFrame): OutFrame {
  return poison(latest, latest.seq + 1, 2n ** 64n + 12_345n);
}

function poison(latest: LegitFrame, seq: number, tsNs: bigint): OutFrame {
  const payload = latest.payload
    .replace(/"receipt_timestamp_ns":\d+/, `"receipt_timestamp_ns":${tsNs}`)
    .replace(/"seq":\d+/, `"seq":${seq}`);
  return { socket: latest.socket, parts: [latest.topic, payload] };
}
