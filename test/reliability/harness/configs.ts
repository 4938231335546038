/**
 * Daemon configs for the scenarios, as objects written out with the `yaml` package: every path in the
 * scenario's temp dir, every port free, nothing that could reach beyond loopback.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { fromRoot } from "../../../src/runtime/paths.js";

export const UNIVERSE = ["BTC-USDT-PERP", "ETH-USDT-PERP", "SOL-USDT-PERP"] as const;

export interface DaemonPorts {
  readonly health: number;
  /** Market data: bound by the embedded synthetic market, or by the runner's publisher (`marketFrom: "runner"`). */
  readonly trades: number;
  readonly books: number;
}

export interface TradingConfigOptions {
  readonly dir: string;
  readonly ports: DaemonPorts;
  /** `embedded`: the daemon's own synthetic market; `runner`: a marketstream publisher of the runner's. */
  readonly marketFrom: "embedded" | "runner";
  /** `paper`: the embedded paper venue; otherwise the engine stand-in process on these ports. */
  readonly venue: "paper" | { readonly ordersPort: number; readonly eventsPort: number };
  /** False sets an entry threshold no jump reaches: the daemon watches the market and never trades. */
  readonly trade: boolean;
  /** Multiplies the synthetic market's book and trade rates (the soak runs at 10). */
  readonly rateMultiplier?: number;
  readonly faultInjection?: boolean;
  readonly token?: string;
  /** Where the journal, the embedded database and the breaker state live (default: `dir/data`). */
  readonly dataDir?: string;
  readonly supervisor?: Readonly<Record<string, number | string>>;
  readonly logLevel?: string;
}

/** Per-symbol rates of the synthetic market (its defaults), multiplied for the soak. */
const BOOK_RATE_HZ = 20;
const TRADE_RATE_HZ = 5;

/** The synthetic market of the trading e2e test: BTC leads and jumps often, ETH and SOL follow. */
export function syntheticMarket(rateMultiplier = 1): Record<string, unknown> {
  return {
    preset: "demo",
    seed: 7,
    book_rate_hz: BOOK_RATE_HZ * rateMultiplier,
    trade_rate_hz: TRADE_RATE_HZ * rateMultiplier,
    symbols: [
      { symbol: "BTC-USDT-PERP", price: 97000, volatility_bps: 1.0, jump_rate_per_min: 8, jump_bps: 60 },
      { symbol: "ETH-USDT-PERP", price: 3100, leader: "BTC-USDT-PERP", lag_ms: 1500, correlation: 0.85 },
      { symbol: "SOL-USDT-PERP", price: 145, leader: "BTC-USDT-PERP", lag_ms: 1000, correlation: 0.8 },
    ],
  };
}

/** Strategy settings that warm up in seconds (1 s ATR bars, a 60 s HY window) and close positions within 15 s. */
export function fastStrategy(dir: string, trade: boolean): Record<string, unknown> {
  return {
    symbols: [...UNIVERSE],
    artifacts_path: path.join(dir, "no-artifacts"),
    inference_lookback_seconds: 60,
    atr_bar_seconds: 1,
    atr_period: 10,
    time_limit_seconds: 15,
    hazard_window_seconds: 5,
    decision_scores_csv_path: path.join(dir, "decisions.csv"),
    ...(trade ? {} : { entry_threshold: 1e9 }),
  };
}

export function tradingConfig(o: TradingConfigOptions): Record<string, unknown> {
  const data = o.dataDir ?? path.join(o.dir, "data");
  const venue = o.venue;
  return {
    mode: "live",
    symbol_rules_path: fromRoot("configs", "symbol_rules.csv"),
    runtime: {
      account_id: `reliability-${path.basename(o.dir)}`,
      db_path: path.join(data, "db"),
      journal: { path: path.join(data, "journal.log") },
      control: { fault_injection: o.faultInjection ?? false, ...(o.token ? { token: o.token } : {}) },
      ...(o.supervisor ? { supervisor: o.supervisor } : {}),
    },
    market_data: {
      provider: o.marketFrom === "embedded" ? "synthetic" : "zmq",
      port: o.ports.trades,
      books_port: o.ports.books,
      exchanges: ["HYPERLIQUID"],
      deltas: { enabled: true }, // the runner's publisher sends deltas + checkpoints (synthetic book_mode default)
      synthetic: syntheticMarket(o.rateMultiplier),
    },
    execution:
      venue === "paper"
        ? { provider: "paper", mode: "paper" }
        : { provider: "zmq", mode: "paper", orders_port: venue.ordersPort, events_port: venue.eventsPort },
    initial_balance: { USDT: 100000 },
    strategies: [{ name: "rel", type: "leadlag", config: fastStrategy(o.dir, o.trade) }],
    observability: {
      logging: { level: o.logLevel ?? "info" },
      health_server: { host: "127.0.0.1", port: o.ports.health },
    },
  };
}

/**
 * `configs/paper.yaml` — what `npm start` runs — with only what a short run must change: ports and paths
 * into the temp dir, the demo sped up (jumps every ~8 s, 1 s ATR bars, 15 s time limit) and fault
 * injection on. Everything else (venue, risk, sizes, `${VAR}` references) is the shipped file's.
 */
export function fasterPaperDemo(dir: string, ports: DaemonPorts, faultInjection: boolean): Record<string, unknown> {
  const text = readFileSync(fromRoot("configs", "paper.yaml"), "utf8");
  // biome-ignore lint/suspicious/noExplicitAny: the shipped file's shape, edited in place
  const config = parse(text) as Record<string, any>;
  const data = path.join(dir, "data");
  config.symbol_rules_path = fromRoot("configs", "symbol_rules.csv");
  config.runtime.account_id = `reliability-${path.basename(dir)}`;
  config.runtime.db_path = path.join(data, "db");
  config.runtime.journal = { path: path.join(data, "journal.log") };
  config.runtime.control.fault_injection = faultInjection;
  config.market_data.port = ports.trades;
  config.market_data.books_port = ports.books;
  config.market_data.synthetic.symbols[0].jump_rate_per_min = 8;
  Object.assign(config.strategies[0].config, {
    artifacts_path: path.join(dir, "no-artifacts"),
    atr_bar_seconds: 1,
    atr_period: 10,
    inference_lookback_seconds: 60,
    time_limit_seconds: 15,
    hazard_window_seconds: 5,
    decision_scores_csv_path: path.join(dir, "decisions.csv"),
  });
  config.observability.logging = { level: "info", structured: true, file: null };
  config.observability.health_server = { enabled: true, host: "127.0.0.1", port: ports.health };
  return config;
}

/** Writes `config` as YAML into `dir` and returns the file's path. */
export function writeConfig(dir: string, config: Record<string, unknown>, name = "config.yaml"): string {
  const file = path.join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}
