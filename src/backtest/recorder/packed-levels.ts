/**
 * Book levels packed for a PostgreSQL `bytea` column (the recorder's `ob_snapshots.bid_px` … `ask_sz`):
 * each value as 8 bytes, IEEE 754 float64 big-endian, best level first, so a column of n levels is 8n
 * bytes. Replaces `double precision[]`, whose per-element framing made both the server's COPY and the
 * reader's parsing several times slower (docs/backtest.md, "PostgreSQL"). Big-endian because that is
 * what PostgreSQL's own `float8send` writes: a table of arrays converts in SQL (docs/market-data.md).
 * Every double round-trips bit for bit (NaN, ±Infinity, -0 included): checks come after decoding.
 */

/** The values as packed bytes. */
export function packLevels(values: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) out.writeDoubleBE(values[i], i * 8);
  return out;
}

/** `bytea` in COPY's text format: hex, its backslash escaped for COPY (`\\x0123…`). */
export function packedCopyText(values: readonly number[]): string {
  return `\\\\x${packLevels(values).toString("hex")}`;
}

/**
 * The values of `byteLength` packed bytes at `at`; undefined when the length is not a whole number of
 * values or runs past the view. A DataView: V8 compiles its reads inline, measured 2-3x faster than
 * `Buffer.readDoubleBE`.
 */
export function unpackLevels(view: DataView, at: number, byteLength: number): number[] | undefined {
  if (byteLength < 0 || byteLength % 8 !== 0 || at + byteLength > view.byteLength) return undefined;
  const out: number[] = [];
  for (let p = at, end = at + byteLength; p < end; p += 8) out.push(view.getFloat64(p));
  return out;
}

/** A DataView over exactly the bytes of `buf`. */
export function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}
