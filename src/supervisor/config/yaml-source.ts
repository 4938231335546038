/** YAML text → plain data, with syntax errors as issues (line/column) and a path → position lookup. */
import { LineCounter, parseDocument, type Document } from "yaml";
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

export function parseYamlSource(text: string): YamlParseResult {
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key an error instead of a silent overwrite.
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { ...makeIssue([], undefined, `${expected.yamlSyntax} (${error.message.split("\n")[0]})`), location: { line: position.line, column: position.col } };
      }),
    };
  }
  return {
    ok: true,
    source: {
      data: document.toJS({ maxAliasCount: 100 }),
      locate: (segments) => locate(document, lineCounter, segments, 1),
      locateExact: (segments) => locate(document, lineCounter, segments, segments.length),
    },
  };
}

/** Tries `segments`, then ever shorter prefixes down to `minimumDepth` segments. */
function locate(document: Document, lineCounter: LineCounter, segments: readonly PathSegment[], minimumDepth: number): SourceLocation | undefined {
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
