import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/command.js";
import { parseSetPairs, shadowCommand } from "../../src/cli/commands/shadow.js";

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
