import { batchEstimate } from "../../actors/estimator/batch.js";
import { CleanSeriesBuilder } from "../../actors/estimator/clean.js";
import { tradeFeature } from "../../actors/estimator/features.js";
import { DEFAULT_HY_PARAMS } from "../../actors/estimator/params.js";
import type { JumpRecord } from "../../actors/jumps/co-jump.js";
import { JumpMonitor } from "../../actors/jumps/monitor.js";
import { DEFAULT_JUMP_PARAMS } from "../../actors/jumps/params.js";
import {
  readTradesCsv,
  TradesCsvHeaderError,
  type TradeRow,
  type TradesCsvSummary,
} from "../../backtest/trades-csv.js";
import { applyLagGrid, edgeWarning, LagGridError, optimumAtEdge } from "../../backtest/scan/lag-grid.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { LAG_GRID_OPTIONS, LAG_GRID_USAGE, lagGridOverrides } from "../lag-grid-options.js";
import { UsageError, type Command } from "../command.js";
import { plotRhoByLag } from "./analyze-plot.js";
import { noTradesMessage, SymbolMatcher } from "./analyze-symbols.js";
import { loadInstrumentRegistry, SymbolRulesError } from "../../model/instruments.js";
import { fromRoot } from "../../runtime/paths.js";

const USAGE = `usage: leadlag analyze hy --csv FILE --leader SYM --lagger SYM [--lookback-s 240] [--end-ns NS] [--json]
                          [--lag-min-s S --lag-max-s S --lag-step-s S --exclude-low-s S --exclude-high-s S]
       leadlag analyze jumps --csv FILE --symbol SYM [--window-k 50] [--alpha 1e-4]
                             [--co-jump-threshold 3] [--co-jump-window-s 1.0] [--json]
       (both: [--symbol-rules FILE], default configs/symbol_rules.csv)

Research tools on a trades CSV (header with at least ts_ns,symbol,price,amount,side).
A symbol may be given in any spelling the symbol rules resolve to the file's (BTC, btc-usdt-perp,
BTC/USDT:USDT); when the file holds no trade of it, the symbols it does hold are listed (exit 2).
  hy      lead-lag (Hayashi-Yoshida over the lag grid) on trade-price log-returns, evaluated on the
          window ending at --end-ns (default: the last tick of the two symbols); warns when the optimum sits
          at the grid's edge (the true lag may lie outside it)
${LAG_GRID_USAGE}
  jumps   Lee-Mykland jumps of one symbol, with the co-jump filter across every symbol in the file
Bad rows are skipped, counted and reported with their line numbers on stderr.`;

export const analyzeCommand: Command = {
  name: "analyze",
  summary: "lead-lag and jump analysis of a trades CSV (hy | jumps)",
  usage: USAGE,
  async run(argv) {
    const [subcommand, ...rest] = argv;
    try {
      if (subcommand === "hy") return await analyzeHy(rest);
      if (subcommand === "jumps") return await analyzeJumps(rest);
    } catch (err) {
      const known = err instanceof TradesCsvHeaderError || err instanceof SymbolRulesError;
      if (!known && (err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      process.stderr.write(`leadlag analyze: ${(err as Error).message}\n`);
      return 1;
    }
    throw new UsageError(subcommand ? `unknown analysis '${subcommand}'` : "name an analysis: hy or jumps");
  },
};

const DEFAULT_SYMBOL_RULES = fromRoot("configs", "symbol_rules.csv");

async function matchers(rulesPath: string | undefined, ...spellings: string[]): Promise<SymbolMatcher[]> {
  const registry = await loadInstrumentRegistry(rulesPath ?? DEFAULT_SYMBOL_RULES);
  return spellings.map((s) => new SymbolMatcher(registry, s));
}

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

async function analyzeHy(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      csv: { type: "string" },
      leader: { type: "string" },
      lagger: { type: "string" },
      "lookback-s": { type: "string" },
      "end-ns": { type: "string" },
      "symbol-rules": { type: "string" },
      json: { type: "boolean", default: false },
      ...LAG_GRID_OPTIONS,
    },
    false,
  );
  const csv = required("csv", values.csv);
  const leaderSymbol = required("leader", values.leader);
  const laggerSymbol = required("lagger", values.lagger);
  const [leaderMatch, laggerMatch] = await matchers(values["symbol-rules"], leaderSymbol, laggerSymbol);
  if (leaderMatch.sameAs(laggerMatch)) throw new UsageError("--leader and --lagger must name different symbols");
  const lookback = {
    ...DEFAULT_HY_PARAMS,
    inferenceLookbackSeconds: numberOption(
      "lookback-s",
      values["lookback-s"],
      DEFAULT_HY_PARAMS.inferenceLookbackSeconds,
    ),
  };
  if (!(lookback.inferenceLookbackSeconds > 0)) throw new UsageError("--lookback-s must be positive");
  let gridded: ReturnType<typeof applyLagGrid>;
  try {
    gridded = applyLagGrid(lookback, lagGridOverrides(values));
  } catch (err) {
    if (err instanceof LagGridError) throw new UsageError(err.message);
    throw err;
  }
  const { params, grid } = gridded;
  const endArg = values["end-ns"];
  if (endArg !== undefined && !/^\d+$/.test(endArg))
    throw new UsageError(`--end-ns must be an integer, got '${endArg}'`);

  const ticks: TradeRow[] = [];
  const isLeader: boolean[] = [];
  const held = new Set<string>();
  let leaderTicks = 0;
  const summary = await readTradesCsv(csv, (row) => {
    held.add(row.symbol);
    const leads = leaderMatch.matches(row.symbol);
    if (!leads && !laggerMatch.matches(row.symbol)) return;
    ticks.push(row);
    isLeader.push(leads);
    if (leads) leaderTicks++;
  });
  reportBadRows(summary);
  const missing = [leaderTicks === 0 && leaderSymbol, leaderTicks === ticks.length && laggerSymbol].filter(
    (s): s is string => s !== false,
  );
  if (missing.length > 0) {
    process.stderr.write(noTradesMessage("hy", missing, csv, held));
    return 2;
  }
  // Relative ns from the first tick keep every boundary test exact in doubles (signal-math §1.1).
  const baseNs = ticks[0].tsNs;
  const endNs =
    endArg !== undefined ? BigInt(endArg) : ticks.reduce((max, row) => (row.tsNs > max ? row.tsNs : max), baseNs);
  const leader = new CleanSeriesBuilder();
  const lagger = new CleanSeriesBuilder();
  ticks.forEach((row, i) => (isLeader[i] ? leader : lagger).add(Number(row.tsNs - baseNs), tradeFeature(row.price)));

  const result = batchEstimate(leader, lagger, Number(endNs - baseNs), grid, params, { withCurve: true });
  const edge = result.rhoByLag !== undefined && optimumAtEdge(result, grid, result.rhoByLag);
  if (edge) process.stderr.write(`${edgeWarning(`${leaderSymbol} -> ${laggerSymbol}`, result, params)}\n`);
  if (values.json) {
    const line = {
      status: result.status,
      tau_star_s: result.tauStarS,
      rho_star: result.rhoStar,
      lls: result.lls,
      n_leader: result.nLeader,
      n_lagger: result.nLagger,
      passes: result.passes,
      edge_of_grid: edge,
      lag_grid: {
        lag_min_s: params.lagMinS,
        lag_max_s: params.lagMaxS,
        lag_step_s: params.lagStepS,
        lags: grid.lagsNs.length,
      },
    };
    process.stdout.write(JSON.stringify(line) + "\n");
    return 0;
  }
  const summaryLines = [
    `lead-lag ${leaderSymbol} -> ${laggerSymbol}, window ${params.inferenceLookbackSeconds} s ending at ${endNs} ns`,
    `status     ${result.status}`,
    `grid       ${params.lagMinS} .. ${params.lagMaxS} s step ${params.lagStepS} (${grid.lagsNs.length} lags), ` +
      `exclusion [${params.excludeLowS}, ${params.excludeHighS}]`,
    `tau*       ${result.tauStarS.toFixed(3)} s${edge ? "  (at the edge of the grid)" : ""}`,
    `rho*       ${result.rhoStar.toFixed(4)}  (gate |rho*| >= ${params.correlationThreshold})`,
    `LLS        ${result.lls.toFixed(4)}  (gate >= ${params.llsThreshold})`,
    `ticks      leader ${result.nLeader}, lagger ${result.nLagger} in the window`,
    `cleaning   dropped ${leader.dropped + lagger.dropped} out-of-order, collapsed ` +
      `${leader.replaced + lagger.replaced} same-timestamp`,
    `passes     ${result.passes}`,
  ];
  process.stdout.write(summaryLines.join("\n") + "\n\n" + plotRhoByLag(result, grid) + "\n");
  return 0;
}

async function analyzeJumps(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      csv: { type: "string" },
      symbol: { type: "string" },
      "window-k": { type: "string" },
      alpha: { type: "string" },
      "co-jump-threshold": { type: "string" },
      "co-jump-window-s": { type: "string" },
      "symbol-rules": { type: "string" },
      json: { type: "boolean", default: false },
    },
    false,
  );
  const csv = required("csv", values.csv);
  const symbol = required("symbol", values.symbol);
  const [symbolMatch] = await matchers(values["symbol-rules"], symbol);
  const params = {
    windowK: numberOption("window-k", values["window-k"], DEFAULT_JUMP_PARAMS.windowK),
    alpha: numberOption("alpha", values.alpha, DEFAULT_JUMP_PARAMS.alpha),
    coJumpThreshold: numberOption(
      "co-jump-threshold",
      values["co-jump-threshold"],
      DEFAULT_JUMP_PARAMS.coJumpThreshold,
    ),
    coJumpWindowS: numberOption("co-jump-window-s", values["co-jump-window-s"], DEFAULT_JUMP_PARAMS.coJumpWindowS),
  };
  if (!Number.isInteger(params.windowK) || params.windowK < 3)
    throw new UsageError("--window-k must be an integer >= 3");
  if (!(params.alpha > 0 && params.alpha < 1)) throw new UsageError("--alpha must lie in (0, 1)");

  const monitor = new JumpMonitor(params);
  const jumps: JumpRecord[] = [];
  let seen = 0;
  const held = new Set<string>();
  const summary = await readTradesCsv(csv, (row) => {
    held.add(row.symbol);
    if (symbolMatch.matches(row.symbol)) seen++;
    const jump = monitor.onTick(row.symbol, row.tsNs, row.price);
    if (jump !== null && symbolMatch.matches(jump.symbol)) jumps.push(jump);
  });
  reportBadRows(summary);
  if (seen === 0) {
    process.stderr.write(noTradesMessage("jumps", [symbol], csv, held));
    return 2;
  }
  if (values.json) {
    // ts_ns is a string: epoch nanoseconds do not survive a JSON number in most parsers.
    const rows = jumps.map((j) => ({
      ts_ns: j.tsNs.toString(),
      stat: j.L,
      sign: Math.sign(j.jumpBps),
      bps: j.jumpBps,
      systematic: j.systematic,
    }));
    process.stdout.write(JSON.stringify({ jumps: rows }) + "\n");
    return 0;
  }
  const header =
    `${jumps.length} jump(s) of ${symbol} in ${seen} trades (K = ${params.windowK}, alpha = ` +
    `${params.alpha}, co-jump ${params.coJumpThreshold} within ${params.coJumpWindowS} s)`;
  const lines = jumps.map(
    (j) =>
      `${j.tsNs}  ${j.jumpBps >= 0 ? "up  " : "down"}  ${j.jumpBps.toFixed(2).padStart(8)} bp  L ` +
      `${j.L.toFixed(2).padStart(7)}  co-jumps ${j.coJumpCount}${j.systematic ? "  systematic" : ""}`,
  );
  process.stdout.write([header, ...lines].join("\n") + "\n");
  return 0;
}

function reportBadRows(summary: TradesCsvSummary): void {
  if (summary.badRows === 0) return;
  const listed = summary.badRowSamples.map((bad) => `  line ${bad.line}: ${bad.reason}`).join("\n");
  const more =
    summary.badRows > summary.badRowSamples.length
      ? `\n  … and ${summary.badRows - summary.badRowSamples.length} more`
      : "";
  process.stderr.write(
    `leadlag analyze: skipped ${summary.badRows} bad row(s) of ${summary.rows + summary.badRows}:\n${listed}${more}\n`,
  );
}
