import { crc32 } from "node:zlib";
import { Packr } from "msgpackr";
import type { OrderEvent } from "../events.js";

/**
 * One journal record on disk: `u32 length | u32 crc32 | u64 seq | payload`, little-endian, where length
 * is the payload's and the CRC covers seq and payload. The payload is plain msgpack (maps, not the
 * catalogue's shared records) so the file stays readable whatever the message catalogue becomes.
 */

export interface JournalRecord {
  readonly seq: bigint;
  readonly event: OrderEvent;
  /** The encoded event, as stored (shipped to the database verbatim). */
  readonly payload: Uint8Array;
}

export const HEADER_BYTES = 16;

const packr = new Packr({ useRecords: false, int64AsType: "bigint" });

/** A copy: msgpackr reuses its output buffer on the next `pack`. */
export function encodeEvent(event: OrderEvent): Uint8Array {
  return Buffer.from(packr.pack(event));
}

export function decodeEvent(payload: Uint8Array): OrderEvent {
  return packr.unpack(payload) as OrderEvent;
}

/** Frames encoded payloads into one buffer, ready for a single `write`. */
export function frameRecords(records: readonly { seq: bigint; payload: Uint8Array }[]): Buffer {
  let total = 0;
  for (const r of records) total += HEADER_BYTES + r.payload.length;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const r of records) {
    out.writeUInt32LE(r.payload.length, offset);
    out.writeBigUInt64LE(r.seq, offset + 8);
    out.set(r.payload, offset + HEADER_BYTES);
    out.writeUInt32LE(crc32(out.subarray(offset + 8, offset + HEADER_BYTES + r.payload.length)), offset + 4);
    offset += HEADER_BYTES + r.payload.length;
  }
  return out;
}

export interface ScanResult {
  readonly records: JournalRecord[];
  /** Bytes of whole, valid records from the start: everything past it is a torn or corrupt tail. */
  readonly validBytes: number;
  readonly problem: "" | "torn_header" | "torn_payload" | "bad_checksum" | "bad_sequence" | "bad_payload";
}

/** Reads records until the first one that is incomplete, fails its checksum or breaks the sequence. */
export function scanRecords(data: Buffer): ScanResult {
  const records: JournalRecord[] = [];
  let offset = 0;
  let expectedSeq = -1n;
  while (offset < data.length) {
    if (data.length - offset < HEADER_BYTES) return { records, validBytes: offset, problem: "torn_header" };
    const length = data.readUInt32LE(offset);
    const end = offset + HEADER_BYTES + length;
    if (end > data.length) return { records, validBytes: offset, problem: "torn_payload" };
    if (crc32(data.subarray(offset + 8, end)) !== data.readUInt32LE(offset + 4))
      return { records, validBytes: offset, problem: "bad_checksum" };
    const seq = data.readBigUInt64LE(offset + 8);
    if (expectedSeq >= 0n && seq !== expectedSeq) return { records, validBytes: offset, problem: "bad_sequence" };
    const payload = data.subarray(offset + HEADER_BYTES, end);
    let event: OrderEvent;
    try {
      event = decodeEvent(payload);
    } catch {
      return { records, validBytes: offset, problem: "bad_payload" };
    }
    records.push({ seq, event, payload });
    expectedSeq = seq + 1n;
    offset = end;
  }
  return { records, validBytes: offset, problem: "" };
}
