import { describe, expect, it } from "vitest";
import { peakRssMb } from "../../bench/peak-rss.js";

const MB = 2 ** 20;

describe("peakRssMb", () => {
  it("is this process's high-water RSS: at least the RSS now, and it follows memory touched past the old peak", () => {
    const rssBefore = process.memoryUsage().rss / MB;
    const peakBefore = peakRssMb();
    expect(peakBefore).toBeGreaterThanOrEqual(rssBefore - 1);
    // Filled, so every page is resident; large enough to pass the earlier peak by 64 MB.
    const ballastMb = Math.ceil(peakBefore - rssBefore) + 64;
    const ballast = Buffer.alloc(ballastMb * MB, 1);
    const peakAfter = peakRssMb();
    expect(peakAfter).toBeGreaterThanOrEqual(process.memoryUsage().rss / MB - 1);
    expect(peakAfter).toBeGreaterThan(rssBefore + ballastMb - 8);
    expect(ballast[ballast.length - 1]).toBe(1);
  });
});
