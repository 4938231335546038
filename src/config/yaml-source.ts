/** YAML text → plain data, with syntax errors as issues (line/column) and a path → position lookup. */
import { LineCounter, isScalar, parseDocument, visit, type Document } from "yaml";
import { type ConfigIssue, type PathSegment, type SourceLocation, makeIssue } from "./errors.js";
import { expected } from "./messages.js";

export interface YamlSource {
  readonly data: unknown;
  /** Position of the value at `segments`, or of its deepest ancestor present in the file. */
  locate(segments: readonly PathSegment[]): SourceLocation | undefined;
  /** Position of the value at exactly `segments`, if the file has it. */
  locateExact(segments: readonly PathSegment[]): SourceLocation | undefined;
}

export type YamlParseResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };

/** Uses of one anchor times the nodes it holds: past this an alias bomb would multiply the document. */
const MAX_ALIAS_COUNT = 100;

export function parseYamlSource(text: string): YamlParseResult {
  const lineCounter = new LineCounter();
  const issueAt = (offset: number, expectation: string): ConfigIssue => {
    const position = lineCounter.linePos(offset);
    return { ...makeIssue([], undefined, expectation), location: { line: position.line, column: position.col } };
  };
  // The library's own unique-keys check compares each key with every earlier one: minutes for a
  // hundred thousand keys. duplicateKeys does the same in one pass.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const syntax = document.errors.map((error) =>
    issueAt(error.pos[0], `${expected.yamlSyntax} (${error.message.split("\n")[0]})`),
  );
  if (syntax.length > 0) return { ok: false, issues: syntax };
  let data: unknown;
  try {
    const repeated = `${expected.yamlSyntax} (Map keys must be unique)`;
    const duplicates = duplicateKeys(document).map((offset) => issueAt(offset, repeated));
    if (duplicates.length > 0) return { ok: false, issues: duplicates };
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The alias limit, and a stack too shallow for the nesting, surface as exceptions.
    const message = (err as Error).message;
    const expectation = /alias/i.test(message) ? expected.yamlAliases(MAX_ALIAS_COUNT) : expected.yamlSyntax;
    return { ok: false, issues: [makeIssue([], undefined, `${expectation} (${message})`)] };
  }
  return {
    ok: true,
    source: {
      data,
      locate: (segments) => locate(document, lineCounter, segments, 1),
      locateExact: (segments) => locate(document, lineCounter, segments, segments.length),
    },
  };
}

/** Offsets of keys that repeat an earlier scalar key of the same mapping. */
function duplicateKeys(document: Document): number[] {
  const offsets: number[] = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) offsets.push(key.range?.[0] ?? 0);
        else seen.add(key.value);
      }
    },
  });
  return offsets;
}

/** Tries `segments`, then ever shorter prefixes down to `minimumDepth` segments. */
function locate(
  document: Document,
  lineCounter: LineCounter,
  segments: readonly PathSegment[],
  minimumDepth: number,
): SourceLocation | undefined {
  for (let depth = segments.length; depth >= Math.max(1, minimumDepth); depth--) {
    const node = document.getIn(segments.slice(0, depth), true);
    const offset = isRangedNode(node) ? node.range[0] : undefined;
    if (offset !== undefined) {
      const position = lineCounter.linePos(offset);
      return { line: position.line, column: position.col };
    }
  }
  return undefined;
}

function isRangedNode(node: unknown): node is { range: [number, number, number] } {
  return typeof node === "object" && node !== null && Array.isArray((node as { range?: unknown }).range);
}
