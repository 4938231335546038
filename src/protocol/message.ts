import type { z } from "zod";

/**
 * One message type: a zod schema (used only at trust boundaries) whose key order is also the msgpackr
 * record structure shared by both ends of a channel. Build message objects with the keys in the schema's
 * order: a different order still decodes (msgpackr then inlines the structure) but costs bytes and time.
 */
export interface MessageDef<T extends { type: string }> {
  readonly type: T["type"];
  readonly schema: z.ZodType<T>;
  /** Field names in encoding order; the first is always `type`. */
  readonly fields: readonly string[];
}

export function defineMessage<S extends z.ZodObject<{ type: z.ZodLiteral<string> }>>(
  schema: S,
): MessageDef<z.output<S> & { type: string }> {
  const fields = Object.keys(schema.shape);
  if (fields[0] !== "type") throw new Error(`message schema must declare 'type' first, got '${fields[0]}'`);
  const type = (schema.shape.type as z.ZodLiteral<string>).value;
  return { type, schema: schema as unknown as z.ZodType<z.output<S> & { type: string }>, fields };
}
