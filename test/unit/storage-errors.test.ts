import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatBytes, freeBytes, isNoRoom, storageError } from "../../src/actors/orders/journal/storage.js";

const failure = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("storage errors", () => {
  it("name the code, the path and the free space where the path lives", () => {
    const path = join(tmpdir(), "x", "journal.log");
    const err = storageError(failure("ENOSPC: no space left on device, write", "ENOSPC"), path, "writing");
    expect(err.code).toBe("ENOSPC");
    expect(err.noRoom).toBe(true);
    const free = String.raw`\(\d+(\.\d)? (B|KiB|MiB|GiB|TiB) free\)`;
    expect(err.message).toMatch(new RegExp(`^writing ${path}: ENOSPC: no space left on device, write ${free}$`));
  });

  it("give the code a message lacks, and count a quota and PostgreSQL's disk_full as no room", () => {
    const io = storageError(failure("", "EIO"), "/nonexistent/dir/db", "writing");
    expect(io.message).toMatch(/^writing \/nonexistent\/dir\/db: EIO \(/);
    const diskFull = storageError(failure("could not extend file", "53100"), "/data/db", "writing");
    expect(diskFull.message).toMatch(/^53100 writing \/data\/db: could not extend file \(/);
    expect(isNoRoom({ code: "EDQUOT" })).toBe(true);
    expect(isNoRoom({ code: "53100" })).toBe(true);
    expect(isNoRoom({ code: "EIO" })).toBe(false);
    expect(isNoRoom(new Error("no code"))).toBe(false);
  });

  it("read the free space of the nearest existing parent of a path not created yet", () => {
    expect(freeBytes(join(tmpdir(), "not", "there", "yet"))).toBe(freeBytes(tmpdir()));
  });

  it("format bytes for people", () => {
    const sizes = [0, 1023, 1024, 1536, 5 * 1024 ** 2, 3.25 * 1024 ** 3];
    expect(sizes.map(formatBytes)).toEqual(["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 MiB", "3.3 GiB"]);
  });
});
