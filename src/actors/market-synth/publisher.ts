/**
 * Publishes a `SyntheticMarket` on two ZeroMQ PUB sockets exactly as marketstream does (trades and
 * books on separate ports, two frames per message), driven by a timer that advances the generator to
 * the wall clock. The lead wraps it in a supervised actor; `leadlag market synth` runs it alone.
 */
import type { Logger } from "pino";
import { Publisher } from "zeromq";
import type { SyntheticMarket, SyntheticMessage } from "./generator.js";
import { wallClockNs } from "../../runtime/clock.js";
import { presetNotice } from "./spec.js";

export interface SyntheticPublisherOptions {
  readonly host: string;
  readonly tradesPort: number;
  readonly booksPort: number;
  /** Timer period: how often the generator is advanced to now and its output sent. */
  readonly intervalMs: number;
  readonly logger: Logger;
}

export interface SyntheticPublisherStats {
  readonly trades: number;
  readonly books: number;
}

export class SyntheticPublisher {
  private readonly trades = new Publisher({ linger: 0, sendHighWaterMark: 10_000 });
  private readonly books = new Publisher({ linger: 0, sendHighWaterMark: 10_000 });
  private readonly pending: SyntheticMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private published = { trades: 0, books: 0 };

  constructor(
    private readonly market: SyntheticMarket,
    private readonly options: SyntheticPublisherOptions,
  ) {}

  /** Binds both sockets (an error names the endpoint, e.g. a port in use) and starts publishing. */
  async start(): Promise<void> {
    await this.bind(this.trades, "trades", this.options.tradesPort);
    await this.bind(this.books, "books", this.options.booksPort);
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.options.logger.info(
      {
        host: this.options.host,
        trades: this.options.tradesPort,
        books: this.options.booksPort,
        seed: this.market.spec.seed,
      },
      "synthetic market publishing",
    );
    this.options.logger.info({ preset: this.market.spec.preset }, presetNotice(this.market.spec));
  }

  stats(): SyntheticPublisherStats {
    return { ...this.published };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
    this.trades.close();
    this.books.close();
  }

  private async bind(socket: Publisher, name: string, port: number): Promise<void> {
    const endpoint = `tcp://${this.options.host}:${port}`;
    try {
      await socket.bind(endpoint);
    } catch (err) {
      this.trades.close();
      this.books.close();
      throw new Error(`synthetic market: cannot bind the ${name} socket on ${endpoint}: ${(err as Error).message}`);
    }
  }

  private tick(): void {
    this.market.advance(wallClockNs(), (m) => this.pending.push(m));
    // One sender at a time keeps messages in generator order when a send outlasts the timer period.
    if (this.sending === undefined && this.pending.length > 0)
      this.sending = this.drain().finally(() => (this.sending = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      for (const m of batch) {
        // PUB never blocks: past the high-water mark ZeroMQ drops, which subscribers see as seq gaps, as with
        // marketstream.
        if (m.socket === "trades") {
          await this.trades.send([m.topic, m.payload]);
          this.published.trades++;
        } else {
          await this.books.send([m.topic, m.payload]);
          this.published.books++;
        }
      }
    }
  }
}
