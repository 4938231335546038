/**
 * Field builders shared by the section schemas.
 *
 * Typing rule for `${VAR:default}` substitution: substitution always produces text, and the field
 * decides the type. Number fields accept a string that is exactly a decimal number ("40", "-0.3",
 * "1e-4"), boolean fields accept "true"/"false", nullable fields accept "null"/"~"/"", optional text
 * fields treat "" as absent. Text fields keep text as is, so `${ACCOUNT:007}` stays "007". The same
 * applies to a value quoted in YAML, which is harmless: its meaning is unambiguous.
 */
import { z } from "zod";
import { expected } from "../messages.js";

const NUMBER_TEXT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const NULL_TEXT = new Set(["null", "Null", "NULL", "~", ""]);
const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

function numberFromText(value: number | string): number | string {
  return typeof value === "string" && NUMBER_TEXT.test(value.trim()) ? Number(value) : value;
}

/** Wraps a number schema so it also takes number text (see the typing rule above). */
export function numeric<T extends z.ZodType<number>>(schema: T) {
  return z.preprocess(numberFromText, schema);
}

export const anyNumber = () => numeric(z.number());
export const positiveNumber = () => numeric(z.number().positive());
export const nonNegativeNumber = () => numeric(z.number().nonnegative());
export const positiveInt = () => numeric(z.number().int().positive());
export const nonNegativeInt = () => numeric(z.number().int().nonnegative());
export const integer = () => numeric(z.number().int());
/** A probability or share: 0 ≤ x ≤ 1. */
export const unitInterval = () => numeric(z.number().min(0).max(1));
/** Strictly between 0 and 1, e.g. a significance level. */
export const openUnitInterval = () => numeric(z.number().gt(0).lt(1));
export const port = () => numeric(z.number().int().min(1).max(65535));

/** A number or null; "null", "~" and "" mean null (see the typing rule above). */
export function nullableNumber<T extends z.ZodType<number>>(schema: T) {
  return z.preprocess(
    (value: number | string | null) =>
      typeof value === "string" && NULL_TEXT.has(value.trim()) ? null : value === null ? null : numberFromText(value),
    schema.nullable(),
  );
}

export const flag = () =>
  z.preprocess(
    (value: boolean | string) => (typeof value === "string" && value in BOOLEAN_TEXT ? BOOLEAN_TEXT[value] : value),
    z.boolean(),
  );

export const text = () => z.string().min(1);

/** Optional text where "" (an empty substitution such as `${TOKEN:}`) means "not set". */
export const optionalText = () =>
  z
    .string()
    .optional()
    .transform((value) => (value === "" ? undefined : value));

export const host = () => z.string().min(1);

/** A list with no repeated entries; the duplicate is named in the issue. */
export function uniqueList<T extends z.ZodType>(element: T) {
  return z.array(element).superRefine((items, ctx) => {
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      if (seen.has(item)) reportRule(ctx, [index], item, expected.unique("entries"));
      seen.add(item);
    });
  });
}

/** Records a failed cross-field rule; the converter reads `params.expected` for the report. */
export function reportRule(ctx: z.RefinementCtx, path: PropertyKey[], input: unknown, expectation: string): void {
  ctx.addIssue({ code: "custom", message: expectation, path, input, params: { expected: expectation } });
}
