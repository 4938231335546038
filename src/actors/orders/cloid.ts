/**
 * Client order ids that are valid Hyperliquid cloids verbatim (`0x` + 32 hex, wire doc §2.6), so the engine
 * passes them through and they survive its restarts. 16 hex of session id (random per process start, given
 * by the shell: a core has no entropy source) + 16 hex of counter: unique across restarts without
 * reading the journal first.
 */
export class CloidGenerator {
  private counter: bigint;

  constructor(
    private readonly sessionHex: string,
    start = 0n,
  ) {
    if (!/^[0-9a-f]{16}$/.test(sessionHex))
      throw new Error(`cloid session id must be 16 lower-case hex chars, got '${sessionHex}'`);
    this.counter = start;
  }

  next(): string {
    this.counter += 1n;
    return `0x${this.sessionHex}${this.counter.toString(16).padStart(16, "0")}`;
  }
}

/** Hex session id from 8 random bytes (the shell passes `crypto.randomBytes(8)`). */
export function sessionHexFrom(bytes: Uint8Array): string {
  if (bytes.length !== 8) throw new Error(`cloid session id needs 8 bytes, got ${bytes.length}`);
  return Buffer.from(bytes).toString("hex");
}
