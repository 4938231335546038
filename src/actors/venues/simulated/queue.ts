/**
 * Where a resting order stands in its price level's queue, as hftbacktest's probabilistic queue model has it.
 * Only displayed depth is known, so the position is an estimate: `ahead` is the size in front of us.
 *
 *  - join: ahead = the depth displayed at our price when the order arrives (we go to the back).
 *  - trade at our price against our side: it consumes the queue ahead first; what it takes beyond `ahead`
 *    is offered to us. Its size is remembered, so the next depth update does not count it twice.
 *  - depth update: an increase is queued behind us (ahead only shrinks to the new depth); a decrease not
 *    explained by the trades since the last update (a cancel) is split between ahead and behind:
 *    with F = ahead, B = depth − F and p = f(B) / (f(B) + f(F)) the chance it was behind,
 *    ahead' = F − (1 − p)·Δ + min(B − p·Δ, 0), clamped to [0, new depth].
 *
 * `ahead` is never negative and never grows; an order is offered a fill only once the queue ahead is consumed.
 */
export interface QueuePosition {
  readonly ahead: number;
  /** Depth displayed at our price at the last update. */
  readonly depth: number;
  /** Traded at our price since the last depth update. */
  readonly traded: number;
}

export type QueueEvent =
  | { readonly kind: "join"; readonly depth: number }
  | { readonly kind: "trade"; readonly size: number }
  | { readonly kind: "depth"; readonly depth: number };

export interface QueueStep {
  readonly position: QueuePosition;
  /** Size the event offers to our order (what a trade took beyond the queue ahead). */
  readonly offered: number;
}

/** A queue model: how one event moves a resting order's position. */
export interface QueueModel {
  apply(position: QueuePosition, event: QueueEvent): QueueStep;
}

/** The share of an unexplained depth decrease that was behind our order: p(F, B). */
export interface QueueAheadModel {
  behindShare(ahead: number, behind: number): number;
}

/** f(x) = x: a cancel is as likely anywhere in the queue. */
export const linearAhead: QueueAheadModel = { behindShare: (ahead, behind) => share(ahead, behind, (x) => x) };

/** f(x) = xⁿ: n > 1 puts cancels more at the larger side of the queue (n = 3 in hftbacktest's examples). */
export function powerLawAhead(n: number): QueueAheadModel {
  return { behindShare: (ahead, behind) => share(ahead, behind, (x) => x ** n) };
}

function share(ahead: number, behind: number, f: (x: number) => number): number {
  const fb = f(Math.max(behind, 0));
  const total = fb + f(Math.max(ahead, 0));
  return total > 0 ? fb / total : 1; // empty queue on both sides: nothing ahead to remove
}

export const EMPTY_QUEUE: QueuePosition = { ahead: 0, depth: 0, traded: 0 };

/** `queue_model: queue`: hftbacktest's probabilistic queue with the given ahead/behind split. */
export function probabilisticQueue(model: QueueAheadModel): QueueModel {
  return {
    apply(position, event) {
      switch (event.kind) {
        case "join":
          return { position: { ahead: Math.max(event.depth, 0), depth: event.depth, traded: 0 }, offered: 0 };
        case "trade": {
          const left = position.ahead - event.size;
          return {
            position: { ...position, ahead: Math.max(left, 0), traded: position.traded + event.size },
            offered: Math.max(-left, 0),
          };
        }
        case "depth":
          return { position: afterDepth(position, event.depth, model), offered: 0 };
      }
    },
  };
}

function afterDepth(position: QueuePosition, depth: number, model: QueueAheadModel): QueuePosition {
  const decrease = position.depth - depth - position.traded;
  const front = position.ahead;
  if (decrease <= 0) return { ahead: clamp(front, depth), depth, traded: 0 };
  const back = position.depth - front;
  const p = model.behindShare(front, back);
  const estimate = front - (1 - p) * decrease + Math.min(back - p * decrease, 0);
  return { ahead: clamp(Math.min(estimate, front), depth), depth, traded: 0 };
}

const clamp = (ahead: number, depth: number) => Math.max(0, Math.min(ahead, depth));

/** `queue_model: instant`: no queue: every trade at our price is offered to us in full. */
export const instantQueue: QueueModel = {
  apply: (position, event) => ({ position, offered: event.kind === "trade" ? event.size : 0 }),
};
