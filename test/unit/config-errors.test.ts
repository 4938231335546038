import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { catchConfigError, minimalConfig } from "../fixtures/config.js";

const issuesOf = (text: string, env: Record<string, string> = {}) =>
  catchConfigError(() => parseConfig(text, { env, sourceName: "test.yaml" })).issues;
const issueAt = (text: string, path: string) => {
  const found = issuesOf(text).find((issue) => issue.path === path);
  if (!found) throw new Error(`no issue at ${path}: ${JSON.stringify(issuesOf(text))}`);
  return found;
};

describe("field errors name the path, the value and the expectation", () => {
  it("wrong type", () => {
    expect(issueAt(minimalConfig("      atr_period: forty\n"), "strategies[0].config.atr_period")).toMatchObject({
      value: "forty",
      expected: "a number",
    });
  });

  it("out of range, exclusive and inclusive bounds", () => {
    expect(issueAt(minimalConfig("      atr_period: 0\n"), "strategies[0].config.atr_period")).toMatchObject({
      value: 0,
      expected: "a number > 0",
    });
    expect(
      issueAt(minimalConfig("      time_limit_seconds: -1\n"), "strategies[0].config.time_limit_seconds").expected,
    ).toBe("a number ≥ 0");
    expect(
      issueAt(
        minimalConfig("      jump_detection_config: {alpha: 1}\n"),
        "strategies[0].config.jump_detection_config.alpha",
      ).expected,
    ).toBe("a number < 1");
    expect(issueAt(minimalConfig("      atr_period: 2.5\n"), "strategies[0].config.atr_period").expected).toBe(
      "an integer",
    );
  });

  it("enum", () => {
    const issue = issueAt("execution:\n  provider: kraken\n", "execution.provider");
    expect(issue).toMatchObject({ value: "kraken", expected: '"zmq" | "paper"'.replace(/^/, "one of ") });
    expect(issueAt("market_data:\n  provider: kafka\n", "market_data.provider").expected).toContain('"synthetic"');
  });

  it("missing required key", () => {
    expect(issueAt("strategies:\n  - name: s\n    config: {}\n", "strategies[0].config.symbols")).toMatchObject({
      value: undefined,
      expected: "a list",
    });
  });

  it("estimator_shards takes an integer or auto", () => {
    expect(
      issueAt("runtime:\n  placement: {estimator_shards: many}\n", "runtime.placement.estimator_shards").expected,
    ).toBe('"auto" or an integer ≥ 1');
  });

  it("hot_worker takes known actor names, once each", () => {
    expect(
      issueAt("runtime:\n  placement: {hot_worker: [feed, estimator-0]}\n", "runtime.placement.hot_worker[1]").value,
    ).toBe("estimator-0");
    expect(
      issueAt("runtime:\n  placement: {hot_worker: [feed, feed]}\n", "runtime.placement.hot_worker[1]").expected,
    ).toContain("unique");
  });

  it("quotes keys that are not identifiers", () => {
    const text = "risk:\n  portfolio:\n    inventory_bands:\n      BTC-USDT-PERP: {min: 2, max: 1}\n";
    expect(issueAt(text, 'risk.portfolio.inventory_bands["BTC-USDT-PERP"].min')).toMatchObject({
      value: 2,
      expected: "a value ≤ max",
    });
  });

  it("numbers from text are accepted only when the whole text is a number", () => {
    expect(parseConfig(minimalConfig('      atr_period: "12"\n'), { env: {} }).strategies[0].config.atr_period).toBe(
      12,
    );
    expect(issueAt(minimalConfig('      atr_period: "12 bars"\n'), "strategies[0].config.atr_period").value).toBe(
      "12 bars",
    );
  });
});

describe("unknown keys", () => {
  it("are each reported at their own path, with a suggestion for a near miss", () => {
    const issues = issuesOf(minimalConfig("      atr_peroid: 40\n      colour: blue\nruntimee: {}\n"));
    const typo = issues.find((issue) => issue.path === "strategies[0].config.atr_peroid");
    expect(typo).toMatchObject({ value: "atr_peroid" });
    expect(typo?.expected).toContain('did you mean "atr_period"');
    expect(issues.find((issue) => issue.path === "strategies[0].config.colour")?.expected).not.toContain(
      "did you mean",
    );
    expect(issues.find((issue) => issue.path === "runtimee")?.expected).toContain('"runtime"');
  });

  it("are reported inside nested sections and leadlag-only sections", () => {
    expect(issueAt("runtime:\n  journal: {fsynk: none}\n", "runtime.journal.fsynk").expected).toContain('"fsync"');
    expect(issueAt("execution:\n  paper: {latency: 1}\n", "execution.paper.latency").expected).toContain(
      '"latency_ms"',
    );
  });
});

describe("section rules", () => {
  it("lag_min_s must be below lag_max_s", () => {
    const issue = issueAt(
      minimalConfig("      hy_estimator_config: {lag_min_s: 5, lag_max_s: 1}\n"),
      "strategies[0].config.hy_estimator_config.lag_min_s",
    );
    expect(issue).toMatchObject({ value: 5, expected: "a value < lag_max_s" });
  });

  it("the exclude zone must sit inside the lag grid", () => {
    const text = minimalConfig(
      "      hy_estimator_config: {lag_min_s: -1, lag_max_s: 1, exclude_low_s: -2, exclude_high_s: 0.3}\n",
    );
    expect(issueAt(text, "strategies[0].config.hy_estimator_config.exclude_low_s").expected).toContain("inside");
  });

  it("backoff_initial_ms may not exceed backoff_max_ms", () => {
    expect(
      issueAt("runtime:\n  supervisor: {backoff_initial_ms: 9000}\n", "runtime.supervisor.backoff_initial_ms").expected,
    ).toBe("a value ≤ backoff_max_ms");
  });

  it("the paper venue cannot trade live", () => {
    expect(issueAt("execution: {provider: paper, mode: live}\n", "execution.mode").value).toBe("live");
  });

  it("a backtest window must start before it ends", () => {
    const text = "backtest: {start_date: 2025-09-08, end_date: 2025-09-07, symbols: [X]}\n";
    expect(issueAt(text, "backtest.start_date").expected).toContain("before end_date");
    expect(
      issueAt("backtest: {start_date: yesterday, end_date: 2025-09-07, symbols: [X]}\n", "backtest.start_date")
        .expected,
    ).toContain("ISO 8601");
  });
});

describe("cross-section rules", () => {
  it("refuses fault injection when orders are real", () => {
    const text = "execution: {provider: zmq, mode: live}\nruntime:\n  control: {fault_injection: true}\n";
    expect(issueAt(text, "runtime.control.fault_injection").value).toBe(true);
    // paper: fine
    expect(() => parseConfig("runtime:\n  control: {fault_injection: true}\n", { env: {} })).not.toThrow();
  });

  it("refuses a non-loopback health server without a control token", () => {
    expect(
      issueAt("observability:\n  health_server: {host: 0.0.0.0}\n", "observability.health_server.host").expected,
    ).toContain("token");
    const withToken = "observability:\n  health_server: {host: 0.0.0.0}\nruntime:\n  control: {token: abc}\n";
    expect(() => parseConfig(withToken, { env: {} })).not.toThrow();
    expect(() => parseConfig("observability:\n  health_server: {host: localhost}\n", { env: {} })).not.toThrow();
  });

  it("requires a backtest section, and a replayable provider, in backtest mode", () => {
    expect(issueAt("mode: backtest\n", "backtest").expected).toContain("backtest section");
    const zmqBacktest =
      "mode: backtest\nmarket_data: {provider: zmq}\nbacktest: {start_date: 2025-09-07, end_date: 2025-09-08, " +
      "symbols: [X]}\n";
    expect(issueAt(zmqBacktest, "market_data.provider").value).toBe("zmq");
  });

  it("refuses in live mode what only a backtest reads: recorded data as the feed, the inline layout", () => {
    expect(issueAt("market_data: {provider: postgresql}\n", "market_data.provider")).toMatchObject({
      value: "postgresql",
      expected: expect.stringContaining("zmq or synthetic when mode is live"),
    });
    expect(issueAt("runtime:\n  placement: {layout: inline}\n", "runtime.placement.layout").expected).toContain(
      "leadlag backtest",
    );
    // The same keys are what a backtest config holds.
    const backtest =
      "mode: backtest\nmarket_data: {provider: postgresql}\nruntime:\n  placement: {layout: inline}\n" +
      "backtest: {start_date: 2025-09-07, end_date: 2025-09-08, symbols: [X]}\n";
    expect(() => parseConfig(backtest, { env: {} })).not.toThrow();
  });

  it("refuses a second strategy at its path and wants risk profiles that name the strategy", () => {
    const text =
      "strategies:\n  - {name: a, config: {symbols: [X]}}\n  - {name: b, config: {symbols: [Y]}}\n" +
      "  - {name: c, config: {symbols: [Z]}}\nrisk:\n  profiles: {other: {}}\n";
    expect(issueAt(text, "strategies[1]")).toMatchObject({
      value: "b",
      expected: 'no second strategy: one strategy per daemon is supported ("a" runs; start another daemon for another)',
    });
    expect(issueAt(text, "strategies[2]").value).toBe("c");
    expect(issueAt(text, "risk.profiles.other").expected).toContain("a, leadlag");
    expect(parseConfig(minimalConfig(""), { env: {} }).strategies).toHaveLength(1);
  });
});

describe("the report", () => {
  it("lists every issue shallowest first, each with its path and file position", () => {
    const text = minimalConfig("      atr_period: 0\nmode: sideways\n");
    const message = catchConfigError(() => parseConfig(text, { env: {}, sourceName: "test.yaml" })).message;
    const lines = message.split("\n");
    expect(lines[0]).toBe("test.yaml: 2 configuration errors");
    expect(lines[1]).toBe('✖ expected one of "live" | "backtest", got "sideways"');
    expect(lines[2]).toBe("  → at mode (test.yaml:6:7)");
    expect(lines[3]).toBe("✖ expected a number > 0, got 0");
    expect(lines[4]).toBe("  → at strategies[0].config.atr_period (test.yaml:5:19)");
  });

  it("gives YAML syntax errors a line and column", () => {
    const [issue] = issuesOf("runtime:\n  account_id: [unclosed\nmode: live\n");
    expect(issue.expected).toContain("valid YAML");
    expect(issue.location?.line).toBeGreaterThan(1);
  });

  it("refuses duplicate keys and a file that is not a mapping", () => {
    expect(issuesOf("mode: live\nmode: backtest\n")[0].expected).toContain("valid YAML");
    expect(issuesOf("- a\n- b\n")[0].expected).toBe("a mapping of keys to values");
  });
});
