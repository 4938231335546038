import { describe, expect, it } from "vitest";
import { LogRateLimit } from "../../src/actors/feed/log-limit.js";

describe("log rate limit", () => {
  it("lets N lines per key through per interval and tells the next line how many were left out", () => {
    const limit = new LogRateLimit(2, 10_000);
    const at = (key: string, ms: number) => limit.permit(key, ms)?.suppressed;
    expect([at("BTC", 0), at("BTC", 1), at("BTC", 2), at("BTC", 3)]).toEqual([0, 0, undefined, undefined]);
    expect(at("ETH", 4)).toBe(0); // keys are independent
    expect(at("BTC", 9_999)).toBeUndefined();
    expect(at("BTC", 10_000)).toBe(3); // a new window: the three lines left out in the last one
    expect(at("BTC", 10_001)).toBe(0);
    expect(at("BTC", 10_002)).toBeUndefined();
  });
});
