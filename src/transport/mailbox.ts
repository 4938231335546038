import type { AnyMessage } from "../protocol/codec.js";

const EMPTY: AnyMessage = { type: "" };

interface Item<T> {
  target: T;
  channel: number;
  message: AnyMessage;
}

/**
 * The in-thread mailbox between co-located actors: a FIFO of (target, channel, message). Delivery order
 * is send order, which is what makes the inline and threaded runs of a topology agree. Items are
 * recycled so a steady stream of hops allocates nothing.
 */
export class Mailbox<T> {
  private items: (Item<T> | undefined)[] = new Array(1024);
  private head = 0;
  private tail = 0;
  private readonly free: Item<T>[] = [];
  private readonly out: Item<T> = { target: undefined as T, channel: 0, message: EMPTY };

  get size(): number {
    return this.tail - this.head;
  }

  push(target: T, channel: number, message: AnyMessage): void {
    if (this.tail === this.items.length) this.grow();
    const item = this.free.pop() ?? { target, channel, message };
    item.target = target;
    item.channel = channel;
    item.message = message;
    this.items[this.tail++] = item;
  }

  /** The returned object is reused by the next `shift`: read it at once. */
  shift(): Item<T> | undefined {
    if (this.head === this.tail) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head === this.tail) this.head = this.tail = 0;
    this.out.target = item.target;
    this.out.channel = item.channel;
    this.out.message = item.message;
    item.message = EMPTY;
    this.free.push(item);
    return this.out;
  }

  private grow(): void {
    const live = this.items.slice(this.head, this.tail);
    const capacity = live.length * 2 >= this.items.length ? this.items.length * 2 : this.items.length;
    this.items = live.concat(new Array(capacity - live.length));
    this.tail -= this.head;
    this.head = 0;
  }
}
