import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { numberOption, parseCommandArgs } from "../args.js";
import { SyntheticMarket } from "../../actors/market-synth/generator.js";
import { SyntheticPublisher } from "../../actors/market-synth/publisher.js";
import { syntheticSpecFromConfig } from "../../actors/market-synth/spec.js";
import { createLogger } from "../../runtime/logger.js";
import { DEFAULT_CONFIG, loadMarketDataSetup, untilSignal } from "./market-data-setup.js";
import { wallClockNs } from "../../runtime/clock.js";

export const marketCommand: Command = {
  name: "market",
  summary: "run the synthetic market alone, publishing marketstream messages on ZeroMQ",
  usage: [
    "usage: leadlag market synth [--config F] [--seed N]",
    "",
    `  --config F  YAML config (default ${DEFAULT_CONFIG}): market_data.host, port, books_port and synthetic`,
    "  --seed N    override market_data.synthetic.seed",
    "",
    "Binds PUB sockets on market_data.host:port (trades) and :books_port (books) and publishes until SIGINT/SIGTERM.",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { config: { type: "string" }, seed: { type: "string" } });
    if (positionals.length !== 1 || positionals[0] !== "synth")
      throw new UsageError("the only market subcommand is 'synth'");
    const seed = values.seed === undefined ? undefined : numberOption("seed", values.seed, 0);
    if (seed !== undefined && !Number.isInteger(seed))
      throw new UsageError(`--seed must be an integer, got '${values.seed}'`);
    const setup = await loadMarketDataSetup(values.config);
    if (!setup.ok) return setup.exitCode;
    const { config, registry } = setup;
    const md = config.market_data;
    const log = createLogger({
      level: config.observability.logging.level,
      structured: config.observability.logging.structured,
    }).child({ component: "market-synth" });
    const market = new SyntheticMarket(syntheticSpecFromConfig(md.synthetic, registry, seed), wallClockNs());
    const publisher = new SyntheticPublisher(market, {
      host: md.host,
      tradesPort: md.port,
      booksPort: md.books_port,
      intervalMs: md.synthetic.publish_interval_ms,
      logger: log,
    });
    try {
      await publisher.start();
    } catch (err) {
      process.stderr.write(`leadlag market: ${(err as Error).message}\n`);
      return 1;
    }
    const signal = await untilSignal();
    await publisher.close();
    log.info({ signal, ...publisher.stats() }, "synthetic market stopped");
    return 0;
  },
};
