import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { JournalRecord } from "../../src/actors/orders/journal/record.js";
import { JournalShipper } from "../../src/actors/orders/journal/shipper.js";
import type { JournalStore } from "../../src/actors/orders/journal/store.js";
import { waitFor } from "../fixtures/wait.js";

/** A store whose inserts fail as PGlite's do on a full disk: a message without the database's path. */
const fullDiskStore = {
  insert: () => Promise.reject(Object.assign(new Error('could not extend file "base/5/16395_fsm"'), { code: "53100" })),
} as unknown as JournalStore;

const record = (seq: bigint): JournalRecord => ({
  seq,
  event: {} as JournalRecord["event"],
  payload: new Uint8Array(),
});

describe("journal shipper", () => {
  it("logs a failed shipment with what failed and where, not only the database's own message", async () => {
    const lines: { msg: string }[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const shipper = new JournalShipper(fullDiskStore, "acct", log, {
      describe: () => "journal database: writing /mnt/small/db: disk full (0 B free)",
    });
    shipper.enqueue([record(1n)]);
    shipper.start(5);
    try {
      await waitFor(() => lines.length > 0, 2000);
    } finally {
      await shipper.cancel();
    }
    expect(lines[0].msg).toBe(
      "journal shipping failed; will retry: journal database: writing /mnt/small/db: disk full (0 B free)",
    );
    expect(shipper.pending).toBe(1);
  });
});
