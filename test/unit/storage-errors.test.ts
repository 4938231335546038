import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatBytes, freeBytes, isNoRoom, storageError } from "../../src/actors/orders/journal/storage.js";

describe("storage errors", () => {
  it("name the code, the path and the free space where the path lives", () => {
    const err = storageError(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }), join(tmpdir(), "x", "journal.log"), "writing");
    expect(err.code).toBe("ENOSPC");
    expect(err.noRoom).toBe(true);
    expect(err.message).toMatch(new RegExp(`^writing ${join(tmpdir(), "x", "journal.log")}: ENOSPC: no space left on device, write \\(\\d+(\\.\\d)? (B|KiB|MiB|GiB|TiB) free\\)$`));
  });

  it("give the code a message lacks, and count a quota and PostgreSQL's disk_full as no room", () => {
    expect(storageError(Object.assign(new Error(""), { code: "EIO" }), "/nonexistent/dir/db", "writing").message).toMatch(/^writing \/nonexistent\/dir\/db: EIO \(/);
    expect(storageError(Object.assign(new Error("could not extend file"), { code: "53100" }), "/data/db", "writing").message).toMatch(/^53100 writing \/data\/db: could not extend file \(/);
    expect(isNoRoom({ code: "EDQUOT" })).toBe(true);
    expect(isNoRoom({ code: "53100" })).toBe(true);
    expect(isNoRoom({ code: "EIO" })).toBe(false);
    expect(isNoRoom(new Error("no code"))).toBe(false);
  });

  it("read the free space of the nearest existing parent of a path not created yet", () => {
    expect(freeBytes(join(tmpdir(), "not", "there", "yet"))).toBe(freeBytes(tmpdir()));
  });

  it("format bytes for people", () => {
    expect([0, 1023, 1024, 1536, 5 * 1024 ** 2, 3.25 * 1024 ** 3].map(formatBytes)).toEqual(["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 MiB", "3.3 GiB"]);
  });
});
