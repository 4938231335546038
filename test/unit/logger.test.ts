import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { Writable } from "node:stream";
import { REDACT_PATHS } from "../../src/runtime/logger.js";

describe("logger", () => {
  it("redacts API keys, tokens, passwords and connection strings wherever they ride in", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(chunk.toString()), done()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, sink);
    log.info(
      {
        venue: { api_key: "k-123", secret: "s-456" },
        db: { connection: "postgresql://u:pw@h/db", database_url: "postgresql://u:pw@h/x" },
        auth: { token: "t-789" },
      },
      "started",
    );
    const text = lines.join("");
    for (const secret of ["k-123", "s-456", "pw@h", "t-789"]) expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)).toHaveLength(5);
  });
});
