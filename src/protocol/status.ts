/**
 * What actors publish for the control API (`ActorStatusReport.status`, JSON-safe): the supervisor reads
 * these shapes without knowing the actors that build them.
 */

/**
 * What an actor says of its own health, as the `health` field of the status it publishes
 * (`ctx.publishStatus({ …, health })`). `/health` is degraded while any actor's is, and lists its reasons.
 */
export interface ActorHealth {
  status: "ok" | "degraded";
  /**
   * Short, specific, operator-readable: `"journal: ENOSPC on data/journal.log (0 B free)"`, `"BTC-USDT-PERP stale 12.4
   * s"`.
   */
  reasons: string[];
}

/** What `/positions`, `/orders` and `leadlag positions|orders` show: JSON-safe, snake_case, configured spellings. */
export interface OrdersStatus {
  positions: {
    symbol: string;
    qty: number;
    avg_price: number;
    realized_pnl: number;
    unrealized_pnl: number;
    fees: number;
  }[];
  orders: {
    cl_id: string;
    strategy: string;
    intent_id: string;
    symbol: string;
    side: string;
    type: string;
    tif: string;
    role: string;
    price: number;
    size: number;
    status: string;
    open: boolean;
    filled: number;
    avg_fill_price: number;
    exchange_order_id: string;
    reason: string;
    /**
     * When the order manager placed it (Unix ms), and its first and last booked fill's receipt, in ms after
     * that: the mirror shadow's time to fill. Optional: statuses from before these fields lack them.
     */
    placed_ms?: number;
    first_fill_after_ms?: number;
    last_fill_after_ms?: number;
  }[];
  balances: { asset: string; total: number; locked: number }[];
  health: ActorHealth;
}
