/**
 * The runner's own marketstream publisher: the synthetic market of the daemon's config, generated here and
 * published on two ZeroMQ PUB sockets the daemon subscribes to (`market_data.provider: zmq`), with frames of
 * the runner's choosing slipped in between. The legitimate flow goes on while hostile frames arrive, so a
 * scenario can tell whether a symbol keeps flowing.
 */
import { Publisher } from "zeromq";
import { SyntheticMarket } from "../../../src/actors/market-synth/generator.js";
import { syntheticSpecFromConfig } from "../../../src/actors/market-synth/spec.js";
import { loadRegistry } from "../../../src/config/universe.js";
import { wallClockNs } from "../../../src/runtime/clock.js";
import type { Config } from "../../../src/config/index.js";
import { sleep } from "./wait.js";

/** One ZeroMQ message: the socket it goes out on and its frames (marketstream sends exactly two). */
export interface OutFrame {
  readonly socket: "trades" | "books";
  readonly parts: readonly (string | Buffer)[];
}

/** The newest legitimate message of a topic: hostile frames copy and bend it. */
export interface LegitFrame {
  readonly socket: "trades" | "books";
  readonly topic: string;
  readonly payload: string;
  readonly seq: number;
  readonly tsNs: bigint;
}

const TICK_MS = 5;
/** Recent legitimate frames kept for replays (duplicates, out of order). */
const RECENT = 200;

export class MarketPublisher {
  private readonly trades = new Publisher({ linger: 0, sendHighWaterMark: 200_000 });
  private readonly books = new Publisher({ linger: 0, sendHighWaterMark: 200_000 });
  private readonly queue: OutFrame[] = [];
  private readonly latest = new Map<string, LegitFrame>();
  private readonly recentFrames: LegitFrame[] = [];
  private market: SyntheticMarket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private counts = { legit: 0, injected: 0 };
  /** Frames queued and frames sent so far: `inject` waits for the sent count to pass its last frame. */
  private queued = 0;
  private sent = 0;

  constructor(
    private readonly config: Config,
    readonly tradesPort: number,
    readonly booksPort: number,
  ) {}

  async start(): Promise<void> {
    const registry = await loadRegistry(this.config);
    this.market = new SyntheticMarket(
      syntheticSpecFromConfig(this.config.market_data.synthetic, registry),
      wallClockNs(),
    );
    await this.trades.bind(`tcp://127.0.0.1:${this.tradesPort}`);
    await this.books.bind(`tcp://127.0.0.1:${this.booksPort}`);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Queues frames to go out after the legitimate messages generated so far; resolves once they are sent. */
  async inject(frames: readonly OutFrame[]): Promise<void> {
    for (const f of frames) this.enqueue(f);
    this.counts.injected += frames.length;
    const last = this.queued;
    this.kick();
    while (this.sent < last) await (this.sending ?? sleep(1));
  }

  latestOf(topic: string): LegitFrame | undefined {
    return this.latest.get(topic);
  }

  recent(): readonly LegitFrame[] {
    return this.recentFrames;
  }

  get exchange(): string {
    return this.config.market_data.synthetic.exchange;
  }

  stats(): { legit: number; injected: number } {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
    this.trades.close();
    this.books.close();
  }

  private tick(): void {
    this.market!.advance(wallClockNs(), (m) => {
      const frame: LegitFrame = { socket: m.socket, topic: m.topic, payload: m.payload, seq: m.seq, tsNs: m.tsNs };
      this.latest.set(m.topic, frame);
      this.recentFrames.push(frame);
      if (this.recentFrames.length > RECENT) this.recentFrames.shift();
      this.enqueue({ socket: m.socket, parts: [m.topic, m.payload] });
      this.counts.legit++;
    });
    this.kick();
  }

  private enqueue(frame: OutFrame): void {
    this.queue.push(frame);
    this.queued++;
  }

  /** One sender at a time keeps frames in queue order. */
  private kick(): void {
    if (this.sending === undefined && this.queue.length > 0)
      this.sending = this.drain().finally(() => (this.sending = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const f = this.queue.shift()!;
      await (f.socket === "trades" ? this.trades : this.books).send(f.parts as (string | Buffer)[]);
      this.sent++;
    }
  }
}
