/**
 * Doubles written the way RapidJSON's `Writer::Double` writes them, so our synthetic market and tests
 * produce the same bytes as marketstream. Both RapidJSON and `Number.prototype.toString` print the
 * shortest round-trip digits and switch to exponent form below 1e-6 and from 1e21 (RapidJSON's
 * Grisu2 may, very rarely, pick a longer round-trip digit string than JavaScript). Only three
 * spellings differ, and they are patched here: an integral value gets `.0` (`97001.0`), a positive
 * exponent has no `+` (`1e30`), and negative zero keeps its sign (`-0.0`).
 */
export function formatDouble(value: number): string {
  if (!Number.isFinite(value)) return nonFiniteDouble();
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const text = String(value);
  const exponentAt = text.indexOf("e");
  if (exponentAt < 0) return text.indexOf(".") < 0 ? text + ".0" : text;
  return text[exponentAt + 1] === "+" ? text.slice(0, exponentAt + 1) + text.slice(exponentAt + 2) : text;
}

/**
 * RapidJSON's writer refuses NaN/Inf and a release build emits nothing in its place, giving
 * `"relative_spread":,` (wire doc §1.3). Reproducing that lets tests send exactly the invalid payload
 * marketstream would.
 */
function nonFiniteDouble(): string {
  return "";
}
