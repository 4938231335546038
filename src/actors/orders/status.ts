import type { ActorHealth } from "../../runtime/actor.js";
import type { OrderManagerCore } from "./core.js";
import { isOpen } from "./state-machine.js";

/** What `/positions`, `/orders` and `leadlag positions|orders` show: JSON-safe, snake_case, configured spellings. */
export interface OrdersStatus {
  positions: { symbol: string; qty: number; avg_price: number; realized_pnl: number; unrealized_pnl: number; fees: number }[];
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
  }[];
  balances: { asset: string; total: number; locked: number }[];
  /** Degraded while entries are halted or inputs held, with each reason (the journal, its database, …). */
  health: ActorHealth;
}

/** Terminal orders kept in the status (most recent first); open orders are always all there. */
const RECENT_TERMINAL_ORDERS = 500;

export function ordersStatus(core: OrderManagerCore, marks: ReadonlyMap<string, number>, health: ActorHealth): OrdersStatus {
  const all = core.allOrders();
  const terminal = all.filter((o) => !isOpen(o.status)).slice(-RECENT_TERMINAL_ORDERS);
  const shown = [...all.filter((o) => isOpen(o.status)), ...terminal];
  return {
    positions: core.ledger.allPositions().map((p) => {
      const mark = marks.get(p.symbol);
      return {
        symbol: p.symbol,
        qty: p.qty,
        avg_price: p.avgPrice,
        realized_pnl: p.realizedPnl,
        unrealized_pnl: mark === undefined ? 0 : core.ledger.unrealizedPnl(p.symbol, mark),
        fees: p.fees,
      };
    }),
    orders: shown.map((o) => ({
      cl_id: o.clId,
      strategy: o.submitted.strategy,
      intent_id: o.submitted.intentId,
      symbol: o.submitted.symbol,
      side: o.submitted.side,
      type: o.submitted.orderType,
      tif: o.submitted.tif,
      role: o.submitted.role,
      price: o.submitted.price,
      size: o.submitted.size,
      status: o.status,
      open: isOpen(o.status),
      filled: o.filledSize,
      avg_fill_price: o.avgFillPrice,
      exchange_order_id: o.exchangeOrderId,
      reason: o.lastReason,
    })),
    balances: core.ledger.assets().map((asset) => ({ asset, ...core.ledger.balance(asset) })),
    health,
  };
}
