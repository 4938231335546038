/**
 * The keys a strict object at some path accepts, read from the schema itself so suggestions never
 * drift from it. Walks through wrappers (default, optional, pipe, …) the way zod parses.
 */
import type { z } from "zod";
import type { PathSegment } from "./errors.js";

/** The few zod definition fields this walk reads; zod types them per schema kind. */
interface SchemaDefinition {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

const definitionOf = (schema: z.ZodType) => schema._zod.def as SchemaDefinition;

export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((object) => Object.keys(definitionOf(object).shape ?? {})))];
}

/** Every object schema that could sit at `path` (unions and pipes may offer more than one). */
function objectsAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  const def = definitionOf(schema);
  const inner = [def.innerType, def.in, def.out, ...(def.options ?? [])].filter((s): s is z.ZodType => s !== undefined);
  if (inner.length > 0 && def.type !== "object") return inner.flatMap((s) => objectsAt(s, path));
  if (path.length === 0) return def.type === "object" ? [schema] : [];
  const [head, ...rest] = path;
  const child =
    def.type === "object"
      ? def.shape?.[String(head)]
      : def.type === "array"
        ? def.element
        : def.type === "record"
          ? def.valueType
          : undefined;
  return child ? objectsAt(child, rest) : [];
}

/**
 * Every leaf key path of the schema (`market_data.deltas.enabled`), list elements as `[]` and record
 * values as `*`: what a config file can set. A leaf is a key whose value is not an object schema.
 */
export function leafKeyPaths(schema: z.ZodType, prefix = ""): string[] {
  const def = definitionOf(schema);
  const inner = [def.innerType, def.in, def.out, ...(def.options ?? [])].filter((s): s is z.ZodType => s !== undefined);
  if (inner.length > 0 && def.type !== "object") return [...new Set(inner.flatMap((s) => leafKeyPaths(s, prefix)))];
  if (def.type === "array" && def.element) return leafKeyPaths(def.element, `${prefix}[]`);
  if (def.type === "record" && def.valueType) return leafKeyPaths(def.valueType, `${prefix}.*`);
  // A transform's output is computed, not written: its input schema (the pipe's `in`) holds the keys.
  if (def.type === "transform") return [];
  if (def.type !== "object") return prefix === "" ? [] : [prefix];
  return Object.entries(def.shape ?? {}).flatMap(([key, child]) =>
    leafKeyPaths(child, prefix === "" ? key : `${prefix}.${key}`),
  );
}
