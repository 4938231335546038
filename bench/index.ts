import type { Bench } from "./bench.js";
import { ringBench } from "./ring.bench.js";
import { hopBench } from "./hop.bench.js";
import { restartBench } from "./restart.bench.js";
import { hyBench } from "./hy.bench.js";
import { journalBench } from "./journal.bench.js";
import { orderPathBench } from "./order-path.bench.js";
import { feedBench } from "./feed.bench.js";
import { shardsBench } from "./shards.bench.js";
import { decisionBench } from "./decision.bench.js";
import { tickToOrderBench } from "./tick-to-order.bench.js";
import { cacheBench } from "./cache.bench.js";
import { backtestSourcesBench } from "./backtest-sources.bench.js";
import { backtestBench } from "./backtest.bench.js";
import { scanBench } from "./scan.bench.js";
import { sweepBench } from "./sweep.bench.js";
import { shadowBench } from "./shadow.bench.js";

/** Every benchmark `leadlag bench` knows, by name. */
export const benches: Bench[] = [
  ringBench,
  hopBench,
  hyBench,
  restartBench,
  journalBench,
  feedBench,
  orderPathBench,
  shardsBench,
  decisionBench,
  tickToOrderBench,
  cacheBench,
  backtestSourcesBench,
  backtestBench,
  scanBench,
  sweepBench,
  shadowBench,
];
