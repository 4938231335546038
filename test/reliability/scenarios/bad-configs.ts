/**
 * Bad configs given to `leadlag run`: each must exit 2 within a bounded time with a message that names the
 * problem, never a stack trace (finding 8: an alias bomb exited 1 with one; 110 k unknown keys took
 * minutes). Each bad file is a valid config — free ports, temp paths — plus its one defect, so a file the
 * loader wrongly accepts starts a harmless daemon, which is killed at the time limit.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { Daemon, daemonEnv, describeExit } from "../harness/daemon.js";
import { tradingConfig } from "../harness/configs.js";
import { freePorts } from "../harness/ports.js";
import type { Scenario, ScenarioContext, ScenarioReport } from "../scenario.js";

/** What "bounded" means here, on a shared two-core machine: Node starts in ~1 s, the loader has the rest. */
const EXIT_WITHIN_MS = 15_000;
const PARALLEL = 2;
const STACK_FRAME = /^\s+at .+[(:]\d+:\d+\)?$/m;

interface BadConfig {
  readonly name: string;
  /** The file's content from the valid base text; `undefined` content means the path is not a file (below). */
  readonly write: (file: string, base: string) => void;
  readonly args?: readonly string[];
}

const text = (build: (base: string) => string | Buffer) => (file: string, base: string) =>
  writeFileSync(file, build(base));

function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 8; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return lines.join("\n") + "\n";
}

const BAD_CONFIGS: readonly BadConfig[] = [
  { name: "YAML alias bomb (9^9 nodes)", write: text((base) => aliasBomb() + base) },
  {
    name: "110 k unknown top-level keys",
    write: text((base) => base + Array.from({ length: 110_000 }, (_, i) => `unknown_${i}: 1\n`).join("")),
  },
  { name: "64 MB scalar", write: text((base) => `${base}junk: ${"x".repeat(64 * 1024 * 1024)}\n`) },
  {
    name: "2 M-item list (23 MB)",
    write: text((base) => `${base}junk:\n${Array.from({ length: 2_000_000 }, (_, i) => `  - ${i}\n`).join("")}`),
  },
  {
    name: "100 k nested flow lists",
    write: text((base) => `${base}junk: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`),
  },
  {
    name: "wrong types",
    write: text((base) =>
      base.replace(/fault_injection: \w+/, "fault_injection: maybe").replace(/port: (\d+)\n/, "port: eighty\n"),
    ),
  },
  {
    name: "missing environment variable",
    write: text((base) => base.replace(/account_id: .*/, "account_id: ${LEADLAG_RELIABILITY_UNSET_VARIABLE}")),
  },
  { name: "YAML syntax error", write: text((base) => `${base}mode: [unclosed\n`) },
  { name: "duplicate key", write: text((base) => `${base}mode: live\n`) },
  { name: "empty file", write: text(() => "") },
  { name: "a list, not a mapping", write: text(() => "- mode\n- live\n") },
  {
    name: "random binary",
    write: text(() => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 256))),
  },
  {
    name: "invalid UTF-8",
    write: text((base) =>
      Buffer.concat([Buffer.from(base), Buffer.from([0x6d, 0x6f, 0x64, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a])]),
    ),
  },
  { name: "number 1e999", write: text((base) => base.replace(/intensity: \d+/, "intensity: 1e999")) },
  { name: "unknown profile", write: text((base) => base), args: ["--profile", "nope"] },
  { name: "no such file", write: () => undefined },
  { name: "a directory", write: (file) => mkdirSync(file) },
];

export const badConfigs: Scenario = {
  name: "bad-configs",
  budgetS: 240,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const dir = scope.tempDir("configs");
    const [health, trades, books] = await freePorts(3);
    const valid = tradingConfig({
      dir,
      ports: { health, trades, books },
      marketFrom: "embedded",
      venue: "paper",
      trade: false,
      supervisor: { intensity: 10 },
    });
    const base = stringify(valid);
    const slowest = { name: "", ms: 0 };
    const queue = BAD_CONFIGS.map((bad, i) => ({ bad, file: path.join(dir, `bad-${i}.yaml`) }));
    const runOne = async ({ bad, file }: (typeof queue)[number]) => {
      bad.write(file, base);
      const t0 = Date.now();
      const daemon = new Daemon(scope, `run ${bad.name}`, undefined, ["run", file, ...(bad.args ?? [])], daemonEnv());
      const exit = await daemon.waitExit(EXIT_WITHIN_MS);
      const ms = Date.now() - t0;
      if (exit === undefined) await daemon.kill9();
      return { bad, daemon, exit, ms };
    };
    const workers = Array.from({ length: PARALLEL }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const { bad, daemon, exit, ms } = await runOne(next);
        const output = daemon.lines().join("\n");
        if (ms > slowest.ms) Object.assign(slowest, { name: bad.name, ms });
        if (exit === undefined) {
          report.check(false, `${bad.name}: still running after ${EXIT_WITHIN_MS / 1000} s`, daemon);
          continue;
        }
        report.check(
          exit.code === 2,
          `${bad.name}: exit ${describeExit(exit)} (expected 2) in ${ms} ms: ${firstLine(output)}`,
          daemon,
        );
        report.check(output.trim() !== "", `${bad.name}: exit without a message`, daemon);
        report.check(
          !STACK_FRAME.test(output),
          `${bad.name}: a stack trace instead of a message: ${firstLine(output)}`,
          daemon,
        );
        progress(`${bad.name}: ${describeExit(exit)} in ${ms} ms`);
      }
    });
    await Promise.all(workers);
    report.badInputs = `${BAD_CONFIGS.length} configs (${BAD_CONFIGS.slice(0, 3)
      .map((b) => b.name)
      .join(", ")}, …)`;
    report.note(`slowest: ${slowest.name} ${slowest.ms} ms (limit ${EXIT_WITHIN_MS / 1000} s)`);
  },
};

function firstLine(output: string): string {
  return (output.split("\n").find((l) => l.trim() !== "") ?? "").slice(0, 160);
}
