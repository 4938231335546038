import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitCsvLine } from "../../src/model/csv-line.js";

/** RFC 4180 quoting as leadlag's writers do it: quote a cell that holds a comma, a quote or nothing else. */
const quote = (cell: string) => (/[",]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

describe("splitCsvLine", () => {
  it("reads back any cells written with RFC 4180 quoting", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "1", ",", '"', " ", "-", "é") });
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (cells) => {
        expect(splitCsvLine(cells.map(quote).join(","))).toEqual(cells);
      }),
    );
  });

  it("keeps empty cells, trailing ones too", () => {
    expect(splitCsvLine('1,"a, ""b""",,x,')).toEqual(["1", 'a, "b"', "", "x", ""]);
  });
});
