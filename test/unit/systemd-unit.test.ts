import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fromRoot } from "../../src/runtime/paths.js";
import { parseConfig } from "../../src/config/index.js";

/** deploy/leadlag.service's [Service] settings, last value of each key. */
function serviceSettings(): Map<string, string> {
  const text = readFileSync(fromRoot("deploy", "leadlag.service"), "utf8");
  const service = text.split(/^\[/m).find((s) => s.startsWith("Service]"))!;
  const settings = new Map<string, string>();
  for (const line of service.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) settings.set(match[1], match[2]);
  }
  return settings;
}

describe("deploy/leadlag.service", () => {
  it("is Type=notify with a watchdog the daemon feeds, over twice the internal watchdog's default", () => {
    const unit = serviceSettings();
    expect(unit.get("Type")).toBe("notify");
    expect(unit.get("NotifyAccess")).toBe("main");
    expect(unit.get("WatchdogSignal")).toBe("SIGKILL");
    const watchdogSecMs = Number(unit.get("WatchdogSec")) * 1000;
    expect(watchdogSecMs).toBeGreaterThan(2 * parseConfig("{}", { env: {} }).runtime.watchdog.stall_ms);
  });

  it("restarts on failure (escalation, watchdog kill) but not after a refused start", () => {
    const unit = serviceSettings();
    expect(unit.get("Restart")).toBe("on-failure");
    expect(unit.get("RestartPreventExitStatus")).toBe("2");
  });
});
