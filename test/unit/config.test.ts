import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError, estimatorShardCount, loadConfig, parseConfig } from "../../src/config/index.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { catchConfigError, minimalConfig } from "../fixtures/config.js";

const REFERENCE = fromRoot("test", "fixtures", "config-reference.yaml");
const minimal = minimalConfig;

describe("reference file", () => {
  it("loads unchanged and keeps every value it writes", async () => {
    const config = await loadConfig(REFERENCE, { env: {} });
    expect(config.mode).toBe("live");
    expect(config.runtime.order_manager.ack_timeout_ms).toEqual({ ioc: 3000, gtc: 15000 });
    expect(config.market_data.provider).toBe("zmq");
    expect(config.execution).toMatchObject({ provider: "zmq", mode: "paper", orders_port: 5601, events_port: 5602 });
    expect(config.initial_balance).toEqual({ USDT: 100000, BTC: 1.0 });
    const strategy = config.strategies[0];
    expect(strategy.type).toBe("leadlag");
    expect(strategy.config.take_profit_bps).toBeNull();
    expect(strategy.config.jump_detection_config).toEqual({
      window_K: 50,
      alpha: 0.0001,
      co_jump_threshold: 3,
      co_jump_window_s: 1.0,
      price_source: "trade",
    });
    expect(config.risk.portfolio.inventory_bands["BTC-USDT-PERP"]).toEqual({ min: -1.0, max: 1.0 });
    expect(config.risk.profiles).toEqual({ leadlag: {} });
    expect(config.observability.logging.level).toBe("info");
    expect(config.backtest?.data_source.connection).toBe("postgresql://user:pass@127.0.0.1:5432/marketdata");
  });

  it("fills leadlag-only keys with their documented defaults", async () => {
    const { runtime, strategies, market_data, execution, observability } = await loadConfig(REFERENCE, { env: {} });
    expect(runtime.journal).toEqual({ path: "./data/journal.log", fsync: "interval", fsync_interval_ms: 100 });
    expect(runtime.placement).toEqual({
      layout: "default",
      hot_thread: "main",
      estimator_shards: "auto",
      hot_worker: ["feed", "jumps", "strategy", "risk", "orders", "venue"],
    });
    expect(runtime.spin).toEqual({ spin_us: 50, main_spin_us: 200, estimator_spin_us: 5000, rehearse_every_us: 200 });
    expect(runtime.supervisor).toEqual({
      strategy: "one_for_one",
      intensity: 10,
      period_s: 60,
      backoff_initial_ms: 50,
      backoff_max_ms: 5000,
      heartbeat_timeout_ms: 3000,
      shutdown_timeout_ms: 2000,
    });
    expect(runtime.control).toEqual({ token: undefined, fault_injection: false });
    expect(runtime.database_url).toBeUndefined();
    expect(strategies[0].config.features).toEqual(["trade", "mid"]);
    expect(market_data.synthetic).toMatchObject({
      seed: 42,
      exchange: "HYPERLIQUID",
      book_mode: "deltas",
      depth_levels: 10,
    });
    expect(execution.paper).toEqual({ latency_ms: 1 });
    const health = observability.health_server;
    expect(health).toEqual({ enabled: true, host: "127.0.0.1", port: 8082, max_event_loop_lag_ms: 200 });
    const lagLimit = (ms: number) => minimal(`observability: {health_server: {max_event_loop_lag_ms: ${ms}}}\n`);
    expect(parseConfig(lagLimit(50)).observability.health_server.max_event_loop_lag_ms).toBe(50);
    expect(() => parseConfig(lagLimit(0))).toThrow(/max_event_loop_lag_ms/);
  });

  it("bounds market data clock skew at 2 s by default; a positive number of ms is required", () => {
    expect(parseConfig(minimal(), { env: {} }).market_data.max_clock_skew_ms).toBe(2000);
    const skew = (ms: number) => `${minimal()}market_data:\n  max_clock_skew_ms: ${ms}\n`;
    expect(parseConfig(skew(250), { env: {} }).market_data.max_clock_skew_ms).toBe(250);
    const error = catchConfigError(() => parseConfig(skew(0), { env: {} }));
    expect(error.issues[0]).toMatchObject({ path: "market_data.max_clock_skew_ms", value: 0 });
  });

  it("resolves estimator_shards auto to cores minus one, at least one", () => {
    expect(estimatorShardCount({ estimator_shards: "auto" }, 2)).toBe(1);
    expect(estimatorShardCount({ estimator_shards: "auto" }, 1)).toBe(1);
    expect(estimatorShardCount({ estimator_shards: "auto" }, 8)).toBe(7);
    expect(estimatorShardCount({ estimator_shards: 3 }, 8)).toBe(3);
  });

  it("is deep-frozen", async () => {
    const config = await loadConfig(REFERENCE, { env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.strategies[0].config.hy_estimator_config)).toBe(true);
    expect(Object.isFrozen(config.strategies[0].config.symbols)).toBe(true);
    expect(() => {
      (config.runtime as { account_id: string }).account_id = "changed";
    }).toThrow(TypeError);
  });

  it("reports a missing file as a ConfigError", async () => {
    await expect(loadConfig(fromRoot("test", "fixtures", "no-such-config.yaml"))).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("shipped configs", () => {
  for (const name of ["paper", "live", "backtest", "shadow"]) {
    it(`configs/${name}.yaml is valid`, async () => {
      await expect(loadConfig(fromRoot("configs", `${name}.yaml`), { env: {} })).resolves.toBeDefined();
    });
  }

  it("paper.yaml is synthetic data into the paper venue on loopback", async () => {
    const config = await loadConfig(fromRoot("configs", "paper.yaml"), { env: {} });
    expect(config.market_data.provider).toBe("synthetic");
    expect(config.execution).toMatchObject({ provider: "paper", mode: "paper" });
    expect(config.observability.health_server).toMatchObject({ enabled: true, host: "127.0.0.1", port: 8082 });
    expect(config.observability.logging).toEqual({
      level: "info",
      structured: true,
      file: null,
      max_size_mb: 10,
      max_files: 5,
    });
  });

  it("live.yaml production profile needs its account and database from the environment", async () => {
    const path = fromRoot("configs", "live.yaml");
    await expect(loadConfig(path, { profile: "production", env: {} })).rejects.toBeInstanceOf(ConfigError);
    const config = await loadConfig(path, {
      profile: "production",
      env: { LEADLAG_ACCOUNT: "acct-7", DATABASE_URL: "postgresql://db/x" },
    });
    expect(config.execution.mode).toBe("live");
    expect(config.runtime).toMatchObject({ account_id: "acct-7", database_url: "postgresql://db/x" });
  });
});

describe("${VAR:default} substitution", () => {
  const text = minimal(`      artifacts_path: \${ART_DIR:art/latest}
      atr_period: \${ATR_PERIOD:40}
      atr_enabled: \${ATR_ON:true}
      take_profit_bps: \${TP:null}
runtime:
  account_id: \${ACCOUNT:007}
  control:
    token: \${LEADLAG_CONTROL_TOKEN:}
`);

  it("uses defaults when variables are unset, typed by the field", () => {
    const config = parseConfig(text, { env: {} });
    const params = config.strategies[0].config;
    expect(params.artifacts_path).toBe("art/latest");
    expect(params.atr_period).toBe(40);
    expect(params.atr_enabled).toBe(true);
    expect(params.take_profit_bps).toBeNull();
    expect(config.runtime.account_id).toBe("007"); // text fields keep text
    expect(config.runtime.control.token).toBeUndefined(); // empty = not set
  });

  it("uses the environment when variables are set", () => {
    const env = { ART_DIR: "/srv/art", ATR_PERIOD: "20", ATR_ON: "false", TP: "12.5", LEADLAG_CONTROL_TOKEN: "s3cret" };
    const config = parseConfig(text, { env });
    expect(config.strategies[0].config).toMatchObject({
      artifacts_path: "/srv/art",
      atr_period: 20,
      atr_enabled: false,
      take_profit_bps: 12.5,
    });
    expect(config.runtime.control.token).toBe("s3cret");
  });

  it("substitutes inside longer text, keeps set-but-empty values, and honours $${ as a literal", () => {
    const config = parseConfig(`runtime:\n  account_id: acct-\${REGION:eu}-\${SUFFIX:x}\n  db_path: $\${HOME}/db\n`, {
      env: { SUFFIX: "" },
    });
    expect(config.runtime.account_id).toBe("acct-eu-");
    expect(config.runtime.db_path).toBe("${HOME}/db");
  });

  it("cannot change the document's structure", () => {
    const config = parseConfig(`runtime:\n  account_id: \${ACCOUNT}\n`, { env: { ACCOUNT: "a\nmode: backtest" } });
    expect(config.runtime.account_id).toBe("a\nmode: backtest");
    expect(config.mode).toBe("live");
  });

  it("refuses ${VAR} without a default when VAR is unset, naming the variable and the path", () => {
    const error = catchConfigError(() => parseConfig(minimal(`      artifacts_path: \${ART_DIR}\n`), { env: {} }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: "strategies[0].config.artifacts_path", value: "${ART_DIR}" });
    expect(error.issues[0].expected).toContain("ART_DIR");
  });

  it("refuses an unclosed reference", () => {
    const error = catchConfigError(() => parseConfig(`runtime:\n  account_id: "\${ACCOUNT"\n`, { env: {} }));
    expect(error.issues[0]).toMatchObject({ path: "runtime.account_id" });
    expect(error.issues[0].expected).toContain("closed");
  });

  it("reports a substituted value of the wrong type at its path", () => {
    const error = catchConfigError(() =>
      parseConfig(minimal(`      atr_period: \${ATR_PERIOD:40}\n`), { env: { ATR_PERIOD: "forty" } }),
    );
    expect(error.issues[0]).toMatchObject({ path: "strategies[0].config.atr_period", value: "forty" });
  });
});

describe("profiles", () => {
  const text = `${minimal()}
runtime:
  account_id: base
  supervisor: {intensity: 3, period_s: 30}
market_data:
  exchanges: [BINANCE_FUTURES, OKX]
profiles:
  production:
    runtime:
      account_id: prod
      supervisor: {intensity: 5}
    market_data:
      exchanges: [BYBIT]
    execution:
      mode: live
      provider: zmq
`;

  it("leave the base untouched when no profile is chosen", () => {
    const config = parseConfig(text, { env: {} });
    expect(config.runtime.account_id).toBe("base");
    expect(config.execution.mode).toBe("paper");
  });

  it("merge mappings key by key and replace lists", () => {
    const config = parseConfig(text, { profile: "production", env: {} });
    expect(config.runtime.account_id).toBe("prod");
    expect(config.runtime.supervisor).toMatchObject({ intensity: 5, period_s: 30 });
    expect(config.market_data.exchanges).toEqual(["BYBIT"]);
    expect(config.execution).toMatchObject({ mode: "live", provider: "zmq" });
  });

  it("refuse an undefined profile, listing the defined ones", () => {
    const error = catchConfigError(() => parseConfig(text, { profile: "staging", env: {} }));
    expect(error.issues[0]).toMatchObject({ path: "profiles", value: "staging" });
    expect(error.issues[0].expected).toContain("production");
  });

  it("substitute only what the chosen profile keeps", () => {
    const withSecret = `${text}  development:\n    runtime:\n      account_id: \${DEV_ACCOUNT}\n`;
    expect(parseConfig(withSecret, { profile: "production", env: {} }).runtime.account_id).toBe("prod");
    expect(() => parseConfig(withSecret, { profile: "development", env: {} })).toThrow(ConfigError);
  });

  it("point errors from a profile at the profile's line", () => {
    const bad = `${minimal()}profiles:\n  p:\n    runtime:\n      supervisor:\n        intensity: -1\n`;
    const error = catchConfigError(() => parseConfig(bad, { profile: "p", env: {} }));
    expect(error.issues[0]).toMatchObject({
      path: "runtime.supervisor.intensity",
      value: -1,
      location: { line: 9, column: 20 },
    });
  });
});

describe("resolution", () => {
  it("market_data.provider auto means postgresql in a backtest and synthetic otherwise", async () => {
    const reference = await readFile(REFERENCE, "utf8");
    const backtest = reference
      .replace("mode: live ", "mode: backtest")
      .replace("provider: zmq                 # zmq |", "provider: auto # ");
    expect(parseConfig(backtest, { env: {} }).market_data.provider).toBe("postgresql");
    expect(parseConfig(minimal(), { env: {} }).market_data.provider).toBe("synthetic");
  });

  it("accepts trading_core's strategy class path as an alias of leadlag", () => {
    const text =
      `strategies:\n  - name: s\n    type: ` +
      `leadlag.strategy.adaptive_arbitrage.AdaptiveLeadLagStrategy\n    config: {symbols: [X]}\n`;
    expect(parseConfig(text, { env: {} }).strategies[0].type).toBe("leadlag");
  });

  it("maps Python log level names onto pino's", () => {
    expect(parseConfig("observability:\n  logging: {level: WARNING}\n", { env: {} }).observability.logging.level).toBe(
      "warn",
    );
    expect(parseConfig("observability:\n  logging: {level: CRITICAL}\n", { env: {} }).observability.logging.level).toBe(
      "fatal",
    );
  });
});
