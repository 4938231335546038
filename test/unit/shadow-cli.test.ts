import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/command.js";
import { parseSetPairs, shadowCommand } from "../../src/cli/commands/shadow.js";
import { shadowReportHtml } from "../../src/cli/commands/shadow-html.js";
import { benchCommand } from "../../src/cli/commands/bench.js";

describe("leadlag shadow: arguments", () => {
  it("reads each --set value as YAML", () => {
    expect(
      parseSetPairs([
        "strategies.0.config.entry_threshold=1.5",
        "strategies.0.config.allow_stacking=true",
        "strategies.0.name=cand=2",
        "risk.portfolio.inventory_bands={BTC-USDT-PERP: {min: -1, max: 1}}",
      ]),
    ).toEqual({
      "strategies.0.config.entry_threshold": 1.5,
      "strategies.0.config.allow_stacking": true,
      "strategies.0.name": "cand=2",
      "risk.portfolio.inventory_bands": { "BTC-USDT-PERP": { min: -1, max: 1 } },
    });
    expect(() => parseSetPairs(["entry_threshold"])).toThrow(UsageError);
    expect(() => parseSetPairs(["=1"])).toThrow(UsageError);
  });

  it("refuses an attach without exactly one source, a missing name and an unknown action before calling the daemon", async () => {
    // Port 9 (discard) is never a daemon: reaching it would be an exit 1, not these usage errors.
    const url = ["--url", "http://127.0.0.1:9"];
    await expect(shadowCommand.run(["attach", "x", ...url])).rejects.toThrow(
      /exactly one of --config FILE, --set or --mirror/,
    );
    await expect(shadowCommand.run(["attach", "x", "--mirror", "--set", "a=1", ...url])).rejects.toThrow(UsageError);
    await expect(shadowCommand.run(["detach", ...url])).rejects.toThrow(/needs a NAME/);
    await expect(shadowCommand.run(["promote", "x", ...url])).rejects.toThrow(/--write FILE/);
    await expect(shadowCommand.run(["swap", "x", ...url])).rejects.toThrow(/unknown action 'swap'/);
  });
});

describe("leadlag shadow report --html", () => {
  it("is one offline page: the equity of both on one plot and the decisions side by side", () => {
    const html = shadowReportHtml({
      shadow: { name: "tight", state: "running", source: "set", attachedAt: "2026-12-06T20:00:00.000Z" },
      summary: { decisions: 2, realized_pnl_usd: 1.25 },
      divergence: [
        {
          leader: "BTC-USDT-PERP",
          lagger: "ETH-USDT-PERP",
          jump_ts_ns: "1796590000000000000",
          live: { outcome: "entered", reason: "", side: "buy", size: 0.16 },
          shadow: { outcome: "fee_gate", reason: "<edge>", side: "", size: 0 },
          agree: false,
        },
        {
          leader: "BTC-USDT-PERP",
          lagger: "SOL-USDT-PERP",
          jump_ts_ns: "1796590001000000000",
          live: null,
          shadow: null,
          agree: false,
        },
      ],
      equity: [
        { t_ms: 1796590000000, live_usd: 0, shadow_usd: 0 },
        { t_ms: 1796590001000, live_usd: 1.5, shadow_usd: -0.5 },
      ],
    });
    expect(html).toContain("<title>Shadow tight (running, set) since 2026-12-06T20:00:00.000Z</title>");
    expect(html).toContain("default-src 'none'");
    expect(html).toContain(
      '[{"t_ms":1796590000000,"live_usd":0,"shadow_usd":0},{"t_ms":1796590001000,"live_usd":1.5,"shadow_usd":-0.5}]',
    );
    expect(html).toContain("<td>entered buy 0.16</td><td>fee_gate</td><td>≠</td>");
    expect(html).toContain("realized_pnl_usd     1.25");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain("echarts");
  });
});

describe("leadlag shadow attach --thread", () => {
  it("takes own or main, and refuses anything else before calling the daemon", async () => {
    const url = ["--url", "http://127.0.0.1:9"];
    await expect(shadowCommand.run(["attach", "x", "--mirror", "--thread", "hot", ...url])).rejects.toThrow(
      "--thread: own or main, got 'hot'",
    );
  });
});

describe("leadlag bench usage: what --quick promises", () => {
  it("says the shadow bench's --quick takes about a minute, beside the 20 s the others keep", () => {
    const lines = benchCommand.usage.split("\n");
    expect(lines).toContain("  --quick   fewer iterations (under 20 s unless the benchmark's line says otherwise)");
    expect(lines.find((l) => l.startsWith("  shadow "))).toMatch(
      /\(--quick: about a minute: a 35 s warm-up \(the live HY window's 30 s\) before two 8 s phases\)$/,
    );
    expect(lines.find((l) => l.startsWith("  ring "))).not.toContain("--quick");
  });
});
