import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
