import type { Scenario } from "../scenario.js";
import { actorCrash } from "./actor-crash.js";
import { badConfigs } from "./bad-configs.js";
import { diskFull } from "./disk-full.js";
import { hostileHttp } from "./hostile-http.js";
import { hostileMarketData } from "./hostile-market-data.js";
import { poisonFrames } from "./poison-frames.js";
import { restartEngine } from "./restart-engine.js";
import { restartPaper } from "./restart-paper.js";
import { stalledMainThread } from "./stalled-main-thread.js";

/** Every scenario of a full run, in the order of issue 13's findings. */
export const SCENARIOS: readonly Scenario[] = [
  restartPaper,
  restartEngine,
  actorCrash,
  hostileHttp,
  hostileMarketData,
  poisonFrames,
  badConfigs,
  diskFull,
  stalledMainThread,
];
