/**
 * The runner's side of the engine stand-in process (venue/engine-venue.ts): starts it, keeps its record of
 * orders and fills, holds and releases its answers, and folds its fills into positions to compare with the
 * daemon's `/positions`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fromRoot } from "../../../src/runtime/paths.js";
import type { Scope } from "./cleanup.js";
import { poll } from "./wait.js";

export interface VenueOrder {
  readonly clId: string;
  readonly intent: string;
  readonly role: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly size: number;
  readonly price: number;
  readonly reduceOnly: boolean;
  readonly atMs: number;
}

export interface VenueFill {
  readonly clId: string;
  readonly execId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: number;
  readonly size: number;
  readonly fee: number;
  readonly atMs: number;
}

export interface BookedPosition {
  qty: number;
  avgPrice: number;
  realizedPnl: number;
  fees: number;
}

/** Positions by coin (`ETH` for `ETH-USDC-PERP` and `ETH-USDT-PERP` alike), as an average-price ledger books them. */
export function foldFills(
  fills: readonly Pick<VenueFill, "symbol" | "side" | "price" | "size" | "fee">[],
): Map<string, BookedPosition> {
  const out = new Map<string, BookedPosition>();
  for (const f of fills) {
    const coin = coinOf(f.symbol);
    const p = out.get(coin) ?? { qty: 0, avgPrice: 0, realizedPnl: 0, fees: 0 };
    out.set(coin, p);
    const signed = f.side === "buy" ? f.size : -f.size;
    p.fees += f.fee;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) {
      const qty = p.qty + signed;
      p.avgPrice = (Math.abs(p.qty) * p.avgPrice + f.size * f.price) / Math.abs(qty);
      p.qty = qty;
      continue;
    }
    const closing = Math.min(f.size, Math.abs(p.qty));
    p.realizedPnl += closing * (f.price - p.avgPrice) * Math.sign(p.qty);
    const qty = p.qty + signed;
    if (Math.abs(qty) <= 1e-12) {
      p.qty = 0;
      p.avgPrice = 0;
    } else {
      if (Math.sign(qty) !== Math.sign(p.qty)) p.avgPrice = f.price;
      p.qty = qty;
    }
  }
  return out;
}

export function coinOf(symbol: string): string {
  return symbol.split(/[-/]/)[0].toUpperCase();
}

export class VenueProcess {
  readonly orders: VenueOrder[] = [];
  readonly fills: VenueFill[] = [];
  readonly duplicates: string[] = [];
  readonly errors: string[] = [];
  /** Orders waiting unanswered while the venue holds. */
  held = 0;
  private readonly child: ChildProcess;
  private readonly events: Record<string, unknown>[] = [];
  private partial = "";
  private stderr = "";

  constructor(
    scope: Scope,
    readonly ordersPort: number,
    readonly eventsPort: number,
  ) {
    const script = fromRoot("test", "reliability", "venue", "engine-venue.ts");
    const viteNode = fromRoot("node_modules", "vite-node", "vite-node.mjs");
    this.child = spawn(
      process.execPath,
      [viteNode, script, "--orders-port", String(ordersPort), "--events-port", String(eventsPort)],
      {
        cwd: fromRoot(),
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    scope.adopt(this.child, "engine venue");
    this.child.stdout!.on("data", (d: Buffer) => this.take(d.toString("utf8")));
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString("utf8")).slice(-4000)));
  }

  async ready(timeoutMs = 30_000): Promise<void> {
    const ok = await poll(() => (this.events.some((e) => e.event === "ready") ? true : undefined), timeoutMs, 100);
    if (!ok)
      throw new Error(
        `engine venue not ready within ${timeoutMs / 1000} s${this.stderr ? `: ${this.stderr.slice(-500)}` : ""}`,
      );
  }

  /** Orders arriving from now on wait unanswered until `release`. */
  async hold(): Promise<void> {
    await this.command("hold", "holding");
  }

  /** Answers every held order in arrival order; resolves when they are all answered. */
  async release(): Promise<number> {
    const event = await this.command("release", "released");
    return Number(event.count ?? 0);
  }

  /** Entries (one per intent) whose order arrived after `sinceMs`. */
  entriesSince(sinceMs: number): VenueOrder[] {
    return this.orders.filter((o) => o.role === "entry" && o.atMs > sinceMs);
  }

  /** Positions by coin from every fill this venue published. */
  positions(): Map<string, BookedPosition> {
    return foldFills(this.fills);
  }

  /** Intents with more than one entry order: an entry sent twice under two ids. */
  doubledEntries(): string[] {
    const count = new Map<string, number>();
    for (const o of this.orders) if (o.role === "entry") count.set(o.intent, (count.get(o.intent) ?? 0) + 1);
    return [...count].filter(([, n]) => n > 1).map(([intent]) => intent);
  }

  stop(): void {
    this.child.stdin!.end();
    this.child.kill("SIGTERM");
  }

  private async command(word: string, answer: string): Promise<Record<string, unknown>> {
    const before = this.events.length;
    this.child.stdin!.write(`${word}\n`);
    const event = await poll(() => this.events.slice(before).find((e) => e.event === answer), 10_000, 20);
    if (!event) throw new Error(`engine venue did not answer '${word}' within 10 s`);
    return event;
  }

  private take(text: string): void {
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop()!;
    for (const line of lines) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      this.events.push(event);
      if (event.event === "order") this.orders.push(event as unknown as VenueOrder);
      else if (event.event === "fill") this.fills.push(event as unknown as VenueFill);
      else if (event.event === "duplicate") this.duplicates.push(String(event.clId));
      else if (event.event === "queued") this.held = Number(event.held);
      else if (event.event === "released") this.held = 0;
      else if (event.event === "error") this.errors.push(String(event.message));
    }
  }
}
