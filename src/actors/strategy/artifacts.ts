import { z } from "zod";
import type { Feature } from "../../protocol/signals.js";

/**
 * Strategy artifacts (docs/artifacts.md): which pairs to trade (`top_pairs.json`), how much each feature
 * counts (`top_features.json`) and per-pair baselines (`baselines.json`). The shell reads the files; this
 * module validates their text, resolves symbols to instrument ids and keeps the last good set.
 */

const FEATURES = ["trade", "mid", "ofi", "imbalance"] as const;
const symbolText = z.string().min(1);
const finiteNonNegative = z.number().finite().nonnegative();

export const TopPairsFile = z.strictObject({
  version: z.literal(1),
  generated_at: z.string().optional(),
  pairs: z
    .array(
      z.strictObject({
        leader: symbolText,
        lagger: symbolText,
        /** Multiplies the pair's strength; 1 when absent. */
        weight: z.number().finite().positive().optional(),
        /** The lag found offline, seconds (informational: the live scan's tau* decides). */
        expected_tau_s: z.number().finite().positive().optional(),
      }),
    )
    .min(1),
});

export const TopFeaturesFile = z.strictObject({
  version: z.literal(1),
  generated_at: z.string().optional(),
  features: z.array(z.strictObject({ feature: z.enum(FEATURES), weight: finiteNonNegative })).min(1),
});

export const BaselinesFile = z.strictObject({
  version: z.literal(1),
  generated_at: z.string().optional(),
  pairs: z.array(
    z.strictObject({
      leader: symbolText,
      lagger: symbolText,
      /** Typical absolute lagger move after a leader jump, bps; absent = only the volatilities are known. */
      expected_move_bps: finiteNonNegative.optional(),
      /** Volatilities in one common unit (e.g. bps per √s); only their ratio is used. */
      leader_vol_bps: z.number().finite().positive(),
      lagger_vol_bps: z.number().finite().positive(),
    }),
  ),
});

export interface ArtifactPair {
  readonly leader: number;
  readonly lagger: number;
  readonly weight: number;
  readonly expectedTauS: number | null;
}

export interface PairBaseline {
  readonly expectedMoveBps: number | null;
  readonly leaderVol: number;
  readonly laggerVol: number;
}

export interface ArtifactSet {
  /** "defaults" when the artifacts path does not exist. */
  readonly source: "files" | "defaults";
  readonly pairs: readonly ArtifactPair[];
  /** Weight per configured feature, ranked: the first entry is the top feature (`simple_mode`). */
  readonly featureWeights: ReadonlyMap<Feature, number>;
  /** Keyed by `pairKey(leader, lagger)`. */
  readonly baselines: ReadonlyMap<string, PairBaseline>;
}

/** The text of each file, or null when that file does not exist. */
export interface ArtifactTexts {
  readonly topPairs: string | null;
  readonly topFeatures: string | null;
  readonly baselines: string | null;
}

export interface ArtifactSymbol {
  readonly id: number;
  readonly symbol: string;
}

export type ArtifactLoad =
  | { readonly ok: true; readonly set: ArtifactSet }
  | { readonly ok: false; readonly errors: readonly string[] /** The set still in use. */; readonly set: ArtifactSet };

export function pairKey(leader: number, lagger: number): string {
  return `${leader}|${lagger}`;
}

/** Every ordered pair of distinct configured symbols: the HY gates decide which way leads. */
export function allOrderedPairs(symbols: readonly ArtifactSymbol[]): ArtifactPair[] {
  return symbols.flatMap((leader) =>
    symbols
      .filter((lagger) => lagger.id !== leader.id)
      .map((lagger) => ({ leader: leader.id, lagger: lagger.id, weight: 1, expectedTauS: null })),
  );
}

export function defaultArtifacts(symbols: readonly ArtifactSymbol[], features: readonly Feature[]): ArtifactSet {
  return {
    source: "defaults",
    pairs: allOrderedPairs(symbols),
    featureWeights: new Map(features.map((f) => [f, 1])),
    baselines: new Map(),
  };
}

/**
 * Validates artifact texts against the configured universe and keeps the last good set: a bad file
 * changes nothing and is reported. `null` texts (the directory does not exist) select the defaults.
 */
export class ArtifactStore {
  private current: ArtifactSet;

  /**
   * @param resolveSpelling other spellings of a symbol (the instrument registry's `resolve`), tried when a
   *   name is not a configured spelling; the instrument must still be one of `symbols`.
   */
  constructor(
    private readonly symbols: readonly ArtifactSymbol[],
    private readonly features: readonly Feature[],
    private readonly resolveSpelling: (spelling: string) => number | undefined = () => undefined,
  ) {
    this.current = defaultArtifacts(symbols, features);
  }

  get set(): ArtifactSet {
    return this.current;
  }

  load(texts: ArtifactTexts | null): ArtifactLoad {
    if (texts === null) {
      this.current = defaultArtifacts(this.symbols, this.features);
      return { ok: true, set: this.current };
    }
    const errors: string[] = [];
    const set = this.parse(texts, errors);
    if (set === null) return { ok: false, errors, set: this.current };
    this.current = set;
    return { ok: true, set };
  }

  private parse(texts: ArtifactTexts, errors: string[]): ArtifactSet | null {
    const ids = new Map(this.symbols.map((s) => [s.symbol, s.id]));
    const configured = new Set(ids.values());
    const resolve = (file: string, at: string, symbol: string): number | undefined => {
      const found = ids.get(symbol) ?? this.resolveSpelling(symbol);
      const id = found !== undefined && configured.has(found) ? found : undefined;
      if (id === undefined) errors.push(`${file}: ${at}: '${symbol}' is not a configured symbol`);
      return id;
    };

    let pairs = allOrderedPairs(this.symbols);
    const topPairs = texts.topPairs === null ? null : parseJson("top_pairs.json", texts.topPairs, TopPairsFile, errors);
    if (topPairs !== null) {
      pairs = [];
      topPairs.pairs.forEach((p, i) => {
        const leader = resolve("top_pairs.json", `pairs.${i}.leader`, p.leader);
        const lagger = resolve("top_pairs.json", `pairs.${i}.lagger`, p.lagger);
        if (leader === undefined || lagger === undefined) return;
        if (leader === lagger) errors.push(`top_pairs.json: pairs.${i}: leader and lagger are both '${p.leader}'`);
        else pairs.push({ leader, lagger, weight: p.weight ?? 1, expectedTauS: p.expected_tau_s ?? null });
      });
    }

    let featureWeights: ReadonlyMap<Feature, number> = new Map(this.features.map((f) => [f, 1]));
    const topFeatures =
      texts.topFeatures === null ? null : parseJson("top_features.json", texts.topFeatures, TopFeaturesFile, errors);
    if (topFeatures !== null) {
      const ranked = [...topFeatures.features].sort((a, b) => b.weight - a.weight);
      // Features the estimator does not compute cannot be scored; configured ones left out weigh 0.
      featureWeights = new Map(
        ranked.filter((f) => this.features.includes(f.feature)).map((f) => [f.feature, f.weight]),
      );
      if (featureWeights.size === 0)
        errors.push(`top_features.json: none of the features is configured (${this.features.join(", ")})`);
    }

    const baselines = new Map<string, PairBaseline>();
    const baselineFile =
      texts.baselines === null ? null : parseJson("baselines.json", texts.baselines, BaselinesFile, errors);
    baselineFile?.pairs.forEach((b, i) => {
      const leader = resolve("baselines.json", `pairs.${i}.leader`, b.leader);
      const lagger = resolve("baselines.json", `pairs.${i}.lagger`, b.lagger);
      if (leader === undefined || lagger === undefined) return;
      baselines.set(pairKey(leader, lagger), {
        expectedMoveBps: b.expected_move_bps ?? null,
        leaderVol: b.leader_vol_bps,
        laggerVol: b.lagger_vol_bps,
      });
    });

    return errors.length > 0 ? null : { source: "files", pairs, featureWeights, baselines };
  }
}

function parseJson<T>(file: string, text: string, schema: z.ZodType<T>, errors: string[]): T | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    errors.push(`${file}: not JSON: ${(error as Error).message}`);
    return null;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    errors.push(`${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  return null;
}
