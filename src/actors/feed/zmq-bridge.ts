/**
 * The market-data ZeroMQ bridge (main thread, architecture §4): two SUB sockets, trades on
 * `market_data.port` and books on `books_port`, subscribed to exact per-symbol topics, handing each
 * two-frame message to a callback with its local receipt time. ZeroMQ reconnects on its own after the
 * publisher restarts and re-sends the subscriptions; the bridge only has to keep reading.
 */
import type { Logger } from "pino";
import { Subscriber } from "zeromq";
import type { Nanos } from "../../model/time.js";
import { isBookStream, topicOf, type MarketstreamStream } from "../../protocol/wire/marketstream.js";
import { wallClockNs } from "../../runtime/clock.js";

export type FrameHandler = (topic: string, payload: Buffer, recvNs: Nanos) => void;

export interface MarketDataBridgeOptions {
  readonly host: string;
  readonly tradesPort: number;
  readonly booksPort: number;
  /** Full topics (see `subscriptionTopics`); each goes to the socket that carries its stream. */
  readonly topics: readonly string[];
  /**
   * Messages queued per socket before ZeroMQ drops (as marketstream's seq gaps show). libzmq's default
   * of 1000 is 7 ms at 150 k msgs/s: one GC pause. 100 k is ~50 MB at worst.
   */
  readonly receiveHighWaterMark?: number;
  readonly logger: Logger;
}

export interface BridgeStats {
  readonly frames: number;
  /** Messages without exactly the two frames marketstream sends. */
  readonly badFraming: number;
  readonly handlerErrors: number;
}

/**
 * Exact topics for every exchange × symbol (marketstream spelling, e.g. `HYPERLIQUID` × `BTC-USDC-PERP`).
 * Whole topics, not stream prefixes: ZeroMQ filters by prefix, so `…preprocessed_book` alone would
 * also match `_book_delta` and `_book_ckpt`. The streams are the ones the config names (`subscribedStreams`).
 */
export function subscriptionTopics(
  exchanges: readonly string[],
  symbols: readonly string[],
  streams: readonly MarketstreamStream[],
): string[] {
  const topics: string[] = [];
  for (const exchange of exchanges)
    for (const symbol of symbols)
      for (const stream of streams) topics.push(topicOf(exchange.toUpperCase(), stream, symbol));
  return topics;
}

export class MarketDataBridge {
  private readonly trades: Subscriber;
  private readonly books: Subscriber;
  private readonly clockOffsetNs: Nanos;
  private readonly pumps: Promise<void>[] = [];
  private closing = false;
  private frames = 0;
  private badFraming = 0;
  private handlerErrors = 0;

  constructor(
    private readonly options: MarketDataBridgeOptions,
    private readonly onFrame: FrameHandler,
  ) {
    const socketOptions = {
      receiveHighWaterMark: options.receiveHighWaterMark ?? 100_000,
      linger: 0,
      reconnectInterval: 100,
      reconnectMaxInterval: 2000,
    };
    this.trades = new Subscriber(socketOptions);
    this.books = new Subscriber(socketOptions);
    // Epoch ns from the monotonic clock: one bigint add per message instead of a Date.now() round.
    this.clockOffsetNs = wallClockNs() - process.hrtime.bigint();
  }

  /** Connects and subscribes; throws an error naming the endpoint if it is malformed. */
  start(): void {
    const tradeTopics = this.options.topics.filter((t) => !isBookTopic(t));
    const bookTopics = this.options.topics.filter((t) => isBookTopic(t));
    this.connect(this.trades, "trades", this.options.tradesPort, tradeTopics);
    this.connect(this.books, "books", this.options.booksPort, bookTopics);
    this.pumps.push(this.pump(this.trades, "trades"), this.pump(this.books, "books"));
  }

  stats(): BridgeStats {
    return { frames: this.frames, badFraming: this.badFraming, handlerErrors: this.handlerErrors };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.trades.close();
    this.books.close();
    await Promise.all(this.pumps);
  }

  private connect(socket: Subscriber, name: string, port: number, topics: readonly string[]): void {
    const endpoint = `tcp://${this.options.host}:${port}`;
    try {
      socket.connect(endpoint);
    } catch (err) {
      throw new Error(
        `market-data bridge: cannot connect the ${name} socket to ${endpoint}: ${(err as Error).message}`,
      );
    }
    if (topics.length > 0) socket.subscribe(...topics);
    this.options.logger.info({ endpoint, socket: name, topics: topics.length }, "market-data bridge subscribed");
  }

  /**
   * `receive()` in a loop rather than `for await`: the socket's async iterator wraps every message in a
   * second promise and a result object, a cost the bridge pays per message.
   */
  private async pump(socket: Subscriber, name: string): Promise<void> {
    try {
      while (!this.closing) {
        const frames = await socket.receive();
        this.frames++;
        if (frames.length !== 2) {
          this.badFraming++;
          continue;
        }
        const recvNs = process.hrtime.bigint() + this.clockOffsetNs;
        try {
          this.onFrame(frames[0].toString("latin1"), frames[1], recvNs);
        } catch (err) {
          // The feed never throws by contract; if a handler does anyway, one message is lost, not the socket.
          this.handlerErrors++;
          this.options.logger.error({ err, socket: name }, "market-data handler threw");
        }
      }
    } catch (err) {
      if (!this.closing) this.options.logger.error({ err, socket: name }, "market-data socket failed");
    }
  }
}

function isBookTopic(topic: string): boolean {
  const first = topic.indexOf("-");
  const stream = topic.slice(first + 1, topic.indexOf("-", first + 1)) as MarketstreamStream;
  return isBookStream(stream);
}
