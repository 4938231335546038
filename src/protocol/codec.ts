import { Packr } from "msgpackr";
import type { MessageDef } from "./message.js";

export type AnyMessage = { type: string };

export type DecodeFailure = "malformed" | "not_a_message" | "unknown_type";

/** A frame that could not be decoded. Returned, never thrown: garbage on a channel is a counted drop. */
export class DecodeError {
  constructor(
    readonly reason: DecodeFailure,
    readonly detail: string,
    readonly byteLength: number,
  ) {}
}

export type DecodeResult<M> = { ok: true; message: M } | { ok: false; error: DecodeError };

/**
 * msgpack codec whose record structures come from the message catalogue, so both ends of a ring agree
 * on them without exchanging anything: one per message type, then one per object shape nested in a
 * message (a scan result), which would otherwise travel as an inline structure in every message and be
 * decoded on msgpackr's slow path (several times slower: docs/benchmarks.md). `maxSharedStructures`
 * equals that count: an object with an unexpected key order is encoded with an inline structure instead
 * of silently growing the shared table (which would desynchronise the two ends).
 */
export class Codec<M extends AnyMessage = AnyMessage> {
  private readonly packr: Packr;
  private readonly knownTypes: ReadonlySet<string>;

  constructor(defs: readonly MessageDef<AnyMessage>[], nestedShapes: readonly (readonly string[])[] = []) {
    const seen = new Set<string>();
    for (const d of defs) {
      if (seen.has(d.type)) throw new Error(`duplicate message type '${d.type}' in codec catalogue`);
      seen.add(d.type);
    }
    this.knownTypes = seen;
    const structures = [...defs.map((d) => [...d.fields]), ...nestedShapes.map((keys) => [...keys])].map(withHighByte);
    this.packr = new Packr({
      structures,
      maxSharedStructures: structures.length,
      int64AsType: "bigint",
    });
  }

  /** The returned bytes are only valid until the next `encode` call: copy them into the ring at once. */
  encode(message: M): Uint8Array {
    return this.packr.pack(message);
  }

  decode(bytes: Uint8Array): DecodeResult<M> {
    let value: unknown;
    try {
      value = this.packr.unpack(bytes);
    } catch (err) {
      return { ok: false, error: new DecodeError("malformed", (err as Error).message, bytes.length) };
    }
    if (typeof value !== "object" || value === null || typeof (value as AnyMessage).type !== "string") {
      return { ok: false, error: new DecodeError("not_a_message", typeof value, bytes.length) };
    }
    const type = (value as AnyMessage).type;
    if (!this.knownTypes.has(type)) {
      return { ok: false, error: new DecodeError("unknown_type", type.slice(0, 64), bytes.length) };
    }
    return { ok: true, message: value as M };
  }
}

/** Shared structures msgpackr numbers with one byte; past them a record id takes two. */
const ONE_BYTE_STRUCTURES = 32;

/**
 * msgpackr decodes a shared structure past the 32nd (a two-byte record id) only if the structure carries its high
 * byte, which it sets on structures it loads through `getStructures` but not on those passed as `structures`: without
 * it every message past the 32nd structure fails to decode ("end of buffer not reached"; msgpackr 2.1).
 */
function withHighByte(keys: string[], index: number): string[] {
  return index < ONE_BYTE_STRUCTURES ? keys : Object.assign(keys, { highByte: (index - ONE_BYTE_STRUCTURES) >> 5 });
}
