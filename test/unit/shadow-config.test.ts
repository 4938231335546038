import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConfigError, parseConfig, type Config } from "../../src/config/index.js";
import { applyOverrides } from "../../src/config/overrides.js";
import { FROZEN_STRATEGY_KEYS, setPathIssues, shadowConfigIssues } from "../../src/supervisor/shadows/config.js";

const LIVE = `
execution: { provider: paper, mode: paper }
strategies:
  - name: s
    config:
      symbols: [BTC-USDT-PERP, ETH-USDT-PERP]
      entry_threshold: 1.0
`;
const ENGINE_LIVE = LIVE.replace("provider: paper", "provider: zmq");

const live = parseConfig(LIVE);
const withSet = (set: Record<string, unknown>, text = LIVE): Config => parseConfig(text, { overrides: set });

/** Strategy keys a shadow may change: every key of the resolved strategy config that is not frozen. */
const FREE_STRATEGY_KEYS = Object.keys(live.strategies[0].config).filter((k) => !FROZEN_STRATEGY_KEYS.has(k));

describe("shadow config rules", () => {
  it("accepts the live config itself and a change of the strategy's own parameters, risk or the simulation", () => {
    expect(shadowConfigIssues(live, live, true)).toEqual([]);
    const changed = withSet({
      "strategies.0.config.entry_threshold": 1.5,
      "strategies.0.config.base_position_size_usd": 250,
      "risk.portfolio.max_gross_usd": 3000,
      "initial_balance.USDT": 5000,
    });
    expect(changed.strategies[0].config.entry_threshold).toBe(1.5);
    expect(shadowConfigIssues(live, changed, true)).toEqual([]);
  });

  it("refuses a change of what the live estimator and jumps actors read, naming each path", () => {
    const changed = withSet({
      "strategies.0.config.hy_estimator_config.lag_step_s": 0.1,
      "strategies.0.config.correlation_threshold": 0.5,
      "market_data.synthetic.seed": 3,
    });
    expect(shadowConfigIssues(live, changed, true).map((i) => i.path)).toEqual([
      "market_data.synthetic.seed",
      "strategies[0].config.correlation_threshold",
      "strategies[0].config.hy_estimator_config.lag_step_s",
    ]);
  });

  it("refuses a config of its own that names the engine, but not a mirror of a live engine daemon", () => {
    const engine = parseConfig(ENGINE_LIVE);
    const own = shadowConfigIssues(live, engine, false);
    expect(own).toHaveLength(1);
    expect(own[0].path).toBe("execution.provider");
    expect(own[0].message).toContain("live execution provider");
    expect(shadowConfigIssues(engine, engine, true)).toEqual([]);
    expect(shadowConfigIssues(live, withSet({ "execution.provider": "zmq" }), true)[0].path).toBe("execution.provider");
  });

  it("checks --set paths themselves: every frozen strategy key is refused, every other one accepted (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FROZEN_STRATEGY_KEYS), fc.constantFrom(...FREE_STRATEGY_KEYS), (frozen, free) => {
        const issues = setPathIssues({ [`strategies.0.config.${frozen}`]: 1, [`strategies.0.config.${free}`]: 1 });
        expect(issues.map((i) => i.path)).toEqual([`strategies[0].config.${frozen}`]);
      }),
    );
    expect(setPathIssues({ "execution.provider": "zmq" })[0].message).toContain("live execution provider");
    expect(setPathIssues({ "runtime.account_id": "x", "backtest.simulation.seed": 3 }).map((i) => i.path)).toEqual([
      "runtime.account_id",
    ]);
  });
});

describe("config overrides (--set)", () => {
  it("writes nested keys and list items, creating missing mappings", () => {
    const { data, issues } = applyOverrides(
      { strategies: [{ name: "s", config: { a: 1 } }] },
      { "strategies.0.config.a": 2, "risk.limits.x": true },
    );
    expect(issues).toEqual([]);
    expect(data).toEqual({ strategies: [{ name: "s", config: { a: 2 } }], risk: { limits: { x: true } } });
  });

  it("reports a path that cannot be written, leaving the input untouched", () => {
    const input = { strategies: [{ name: "s" }], mode: "live" };
    const { issues } = applyOverrides(input, { "mode.x": 1, "strategies.x": 1, "strategies.5.name": "t", "a..b": 1 });
    expect(issues.map((i) => i.path)).toEqual(["mode", "strategies", "strategies", ""]);
    expect(input).toEqual({ strategies: [{ name: "s" }], mode: "live" });
  });

  it("reports a schema error of an overridden value at its path", () => {
    expect(() => withSet({ "strategies.0.config.entry_threshold": -1 })).toThrow(/entry_threshold/);
  });
});

describe("shadow config rules: the live shadows list", () => {
  it("is inherited by set and mirror shadows without a refusal, refused in a config of its own", () => {
    const withShadows = `${LIVE}shadows:\n  - { name: cand, mirror: true }\n`;
    const liveWith = parseConfig(withShadows);
    expect(shadowConfigIssues(liveWith, liveWith, true)).toEqual([]);
    expect(
      shadowConfigIssues(liveWith, withSet({ "strategies.0.config.entry_threshold": 2 }, withShadows), true),
    ).toEqual([]);
    expect(shadowConfigIssues(live, liveWith, false).map((i) => i.path)).toEqual(["shadows"]);
  });

  it("places each shadow on its own worker unless it says thread: main, and refuses any other thread", () => {
    const list = parseConfig(
      `${LIVE}shadows:\n  - { name: a, mirror: true }\n  - { name: b, mirror: true, thread: main }\n`,
    ).shadows;
    expect(list.map((s) => [s.name, s.thread])).toEqual([
      ["a", "own"],
      ["b", "main"],
    ]);
    let error: unknown;
    try {
      parseConfig(`${LIVE}shadows:\n  - { name: c, mirror: true, thread: hot }\n`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toMatchObject([{ path: "shadows[0].thread", value: "hot" }]);
  });
});
