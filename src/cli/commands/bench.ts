import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { parseCommandArgs } from "../args.js";
import { benches } from "../../../bench/index.js";
import type { Bench } from "../../../bench/bench.js";

export const benchCommand: Command = {
  name: "bench",
  summary: "run a benchmark and print its result (one JSON line with --json)",
  get usage() {
    const quick = (b: Bench) => (b.quickTakes === undefined ? "" : ` (--quick: ${b.quickTakes})`);
    const list = benches.map((b) => `  ${b.name.padEnd(14)} ${b.summary}${quick(b)}`).join("\n");
    return (
      `usage: leadlag bench <name> [--json] [--quick]\n\n  --json    print exactly one JSON line\n  --quick   ` +
      `fewer iterations (under 20 s unless the benchmark's line says otherwise)\n\nbenchmarks:\n${list}`
    );
  },
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
    });
    const name = positionals[0];
    const bench = benches.find((b) => b.name === name);
    if (!bench) throw new UsageError(name ? `unknown benchmark '${name}'` : "name a benchmark");
    const result = await bench.run({ quick: values.quick ?? false });
    if (values.json) {
      process.stdout.write(JSON.stringify(result) + "\n");
    } else {
      const width = Math.max(...Object.keys(result).map((k) => k.length));
      for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(width)}  ${String(v)}\n`);
    }
    return 0;
  },
};
