import type { Config, RuntimeConfig } from "../../config/index.js";
import type { Instrument } from "../../model/instruments.js";
import type { UniverseInstrument } from "../../model/universe.js";

/** What the order manager reads: its account, journal and database, and the instruments it books. */
export interface OrdersSection {
  readonly accountId: string;
  readonly orderManager: RuntimeConfig["order_manager"];
  readonly journal: RuntimeConfig["journal"];
  /** `runtime.database_url`; the actor falls back to `DATABASE_URL` of its environment. */
  readonly databaseUrl: string | undefined;
  readonly dbPath: RuntimeConfig["db_path"];
  /** The declared capital, seeded when the journal is empty (paper and live) until the venue's snapshot replaces it. */
  readonly initialBalance: Config["initial_balance"];
  readonly perpLeverage: number;
  /** The registry as data (rebuilt in the actor): orders are booked by the spelling they carry. */
  readonly instruments: readonly Instrument[];
  readonly universe: readonly UniverseInstrument[];
}

export function ordersSection(
  config: Config,
  instruments: readonly Instrument[],
  universe: readonly UniverseInstrument[],
): OrdersSection {
  const runtime = config.runtime;
  return {
    accountId: runtime.account_id,
    orderManager: runtime.order_manager,
    journal: runtime.journal,
    databaseUrl: runtime.database_url,
    dbPath: runtime.db_path,
    initialBalance: config.initial_balance,
    perpLeverage: config.strategies[0]?.config.perp_leverage ?? 1,
    instruments,
    universe,
  };
}
