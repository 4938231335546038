import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decimate } from "../../src/backtest/report/chart-data.js";
import { toReportHtml } from "../../src/backtest/report/html.js";
import { toReportJson } from "../../src/backtest/report/json.js";
import { checkReportPaths, writeReports } from "../../src/backtest/report/write.js";
import { handRecord } from "../fixtures/backtest-record.js";

describe("report paths", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "leadlag-report-paths-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts a new file in an existing directory and an existing file, creating nothing", async () => {
    await writeFile(path.join(dir, "old.json"), "x");
    await checkReportPaths({ json: path.join(dir, "old.json"), html: path.join(dir, "new.html") });
    await checkReportPaths({});
    expect(await readdir(dir)).toEqual(["old.json"]);
  });

  it("refuses, before any replay, a path whose directory is missing, a directory, or a file as directory", async () => {
    await mkdir(path.join(dir, "sub"));
    await writeFile(path.join(dir, "plain"), "x");
    const missing = path.join(dir, "missing");
    await expect(checkReportPaths({ json: path.join(missing, "r.json") })).rejects.toThrow(
      `cannot write the JSON report ${path.join(missing, "r.json")}: directory ${missing} does not exist`,
    );
    await expect(checkReportPaths({ html: path.join(dir, "sub") })).rejects.toThrow(
      `cannot write the HTML report ${path.join(dir, "sub")}: it is a directory`,
    );
    await expect(checkReportPaths({ html: path.join(dir, "plain", "r.html") })).rejects.toThrow(
      `${path.join(dir, "plain")} is not a directory`,
    );
    await expect(checkReportPaths({ json: path.join(dir, "r"), html: path.join(dir, ".", "r") })).rejects.toThrow(
      "the JSON and HTML reports name the same file",
    );
  });

  it("writes the JSON and the HTML report", async () => {
    const json = path.join(dir, "r.json");
    const html = path.join(dir, "r.html");
    await writeReports(handRecord(), { json, html });
    expect(await readFile(json, "utf8")).toBe(toReportJson(handRecord()));
    const page = await readFile(html, "utf8");
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain("=== Backtest Summary ===\nNet Profit:             $30.00\n");
    expect(page).toContain('id="chart-price-1"'); // ETH and SOL traded
  });
});

describe("HTML report content", () => {
  it("escapes the record's text: a hostile source name cannot open or close a tag", () => {
    const record = handRecord();
    const hostile = { ...record, meta: { ...record.meta, source: "</script><script>alert(1)</script>" } };
    const page = toReportHtml(hostile);
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("&#60;/script&#62;&#60;script&#62;alert(1)");
    // Only the three scripts of the page itself: data, library, client.
    expect(page.match(/<script[ >]/g)).toHaveLength(3);
  });
});

describe("series thinning", () => {
  it("keeps at most the cap, in time order, with the extremes of each bucket", () => {
    const points: [number, number][] = Array.from({ length: 10_000 }, (_, i) => [i, Math.sin(i / 50)]);
    points[5_003] = [5_003, -7];
    points[8_888] = [8_888, 9];
    const thinned = decimate(points, 1_000);
    expect(thinned.length).toBeLessThanOrEqual(1_000);
    expect(thinned.length).toBeGreaterThan(900);
    expect(thinned.every((p, i) => i === 0 || p[0] > thinned[i - 1][0])).toBe(true);
    expect(thinned).toContainEqual([5_003, -7]);
    expect(thinned).toContainEqual([8_888, 9]);
    expect(decimate(points.slice(0, 10), 1_000)).toEqual(points.slice(0, 10));
  });
});
