import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import { instrumentNamed, marketTypeOf, type InstrumentRegistry } from "../model/instruments.js";
import type { OrdersStatus } from "../protocol/status.js";
import type { Supervisor } from "./supervisor.js";

/**
 * The steps a reverse stop of the actors cannot do, run first on SIGTERM/SIGINT (style.md §12): stop new
 * entries, cancel every open order and, with `runtime.shutdown.flatten`, close every perp position with
 * reduce-only IOC orders; then wait, within the deadline, for the order manager's journal to show it done.
 * Risk does the work (its `stop-entries`, `cancel-all` and `flatten` commands); the order manager's
 * published status is the judge.
 */

export interface PreCloseOptions {
  readonly flatten: boolean;
  readonly timeoutMs: number;
  /** Perp positions are flattened; spot holdings are the account's assets and stay. */
  readonly isPerp: (symbol: string) => boolean;
  readonly pollMs?: number;
}

export interface LeftOpen {
  readonly orders: readonly { readonly clId: string; readonly symbol: string; readonly status: string }[];
  readonly positions: readonly { readonly symbol: string; readonly qty: number }[];
}

export interface PreCloseOutcome extends LeftOpen {
  readonly complete: boolean;
  readonly elapsedMs: number;
}

/** `runtime.shutdown`, with the market type of each symbol from the registry. */
export function preCloseOptions(config: Config, registry: InstrumentRegistry): PreCloseOptions {
  return {
    flatten: config.runtime.shutdown.flatten,
    timeoutMs: config.runtime.shutdown.timeout_ms,
    isPerp: (symbol) => {
      const inst = instrumentNamed(registry, symbol);
      return inst !== undefined && marketTypeOf(inst) === "perp";
    },
  };
}

const QTY_EPSILON = 1e-9;
/**
 * The order manager publishes its status every 50–100 ms: a status younger than the commands may not show an
 * order submitted just before them, so the work is judged done only on statuses seen this long after them.
 */
const SETTLE_MS = 300;
const DEFAULT_POLL_MS = 50;

/** What the order manager's status still shows open: every open order and, when flattening, every perp position. */
export function leftOpen(
  status: OrdersStatus | undefined,
  options: Pick<PreCloseOptions, "flatten" | "isPerp">,
): LeftOpen {
  if (status === undefined) return { orders: [], positions: [] };
  const orders = status.orders
    .filter((o) => o.open)
    .map((o) => ({ clId: o.cl_id, symbol: o.symbol, status: o.status }));
  const positions = options.flatten
    ? status.positions
        .filter((p) => Math.abs(p.qty) > QTY_EPSILON && options.isPerp(p.symbol))
        .map((p) => ({ symbol: p.symbol, qty: p.qty }))
    : [];
  return { orders, positions };
}

type Commands = Pick<Supervisor, "commandActor" | "actorStatus">;

export async function preClose(supervisor: Commands, options: PreCloseOptions, log: Logger): Promise<PreCloseOutcome> {
  const started = Date.now();
  const steps = ["stop-entries", "cancel-all", ...(options.flatten ? ["flatten"] : [])];
  for (const step of steps) {
    if (!supervisor.commandActor("risk", step)) log.error({ step }, "shutdown step not sent: no risk actor");
  }
  log.info({ steps, timeoutMs: options.timeoutMs }, "stopping: entries stopped, orders canceled, waiting");
  const deadline = started + options.timeoutMs;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const open = leftOpen(supervisor.actorStatus("orders") as OrdersStatus | undefined, options);
    const settled = Date.now() - started >= SETTLE_MS;
    const done = open.orders.length === 0 && open.positions.length === 0;
    if ((done && settled) || Date.now() >= deadline) {
      return { ...open, complete: done, elapsedMs: Date.now() - started };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
