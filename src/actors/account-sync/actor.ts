import { Subscriber } from "zeromq";
import { defineActor } from "../../runtime/actor.js";
import { Channels } from "../../protocol/channels.js";
import { ACCOUNT_SNAPSHOT_TOPIC } from "../../protocol/wire/account-sync.js";
import { NS_PER_S } from "../../model/time.js";
import { AccountSyncCore, type DropReason } from "./core.js";
import type { AccountSyncSection } from "./section.js";

/** A dropped snapshot is logged at most once per reason in this interval (the rest are counted). */
const DROP_LOG_EVERY_NS = 10n * NS_PER_S;
/** A snapshot is a few kB; a larger message is not one (libzmq drops the connection, which reconnects). */
const MAX_MESSAGE_BYTES = 1 << 20;

/**
 * The account-sync subscriber, on the main thread beside the other ZeroMQ sockets: SUB to
 * `observability.accounts_zmq` (topic `account.snapshot`, docs/account-sync.md), every snapshot of this
 * account to risk. Only when orders go to an external engine (`execution.provider: zmq`): the paper venue
 * is its own account. Bad input is counted and logged (rate-limited), never thrown.
 */
export default defineActor<AccountSyncSection>({
  kind: "account-sync",
  reads: [],
  writes: [Channels.accountSnapshots],
  init(ctx) {
    const section = ctx.config;
    const endpoint = `tcp://${section.host}:${section.port}`;
    if (section.provider !== "zmq") {
      ctx.log.info({ provider: section.provider }, "account sync off: the paper venue is the account");
      return { handle: {} };
    }
    const core = new AccountSyncCore({ accountId: section.accountId, logEveryNs: DROP_LOG_EVERY_NS });
    const counts = {
      accepted: 0,
      dropped: { malformed: 0, foreign_account: 0, stale: 0 } as Record<DropReason, number>,
    };
    const socket = new Subscriber({ linger: 0, maxMessageSize: MAX_MESSAGE_BYTES, reconnectInterval: 100 });
    let closing = false;
    let pump: Promise<void> = Promise.resolve();
    // Closed however this incarnation ends (stop, crash, a failed connect), so a restart can connect again.
    ctx.onDispose(async () => {
      closing = true;
      socket.close();
      await pump;
    });
    // Every account's snapshots, not only ours: one for another account is a misconfiguration worth counting.
    socket.subscribe(ACCOUNT_SNAPSHOT_TOPIC);
    try {
      socket.connect(endpoint);
    } catch (err) {
      throw new Error(`account sync: cannot connect to ${endpoint}: ${(err as Error).message}`);
    }
    ctx.log.info({ endpoint, account: section.accountId }, "subscribed to account snapshots");
    const status = () => {
      const last = core.lastAccepted();
      return { endpoint, accepted: counts.accepted, dropped: counts.dropped, last_seq: last?.seq ?? null };
    };

    const onMessage = (frames: readonly Buffer[]) => {
      const verdict = core.onMessage(
        frames.map((f) => f.toString("utf8")),
        ctx.now(),
      );
      if (verdict.kind === "accepted") {
        counts.accepted++;
        ctx.metrics.count("account_sync_snapshots_total");
        ctx.send(Channels.accountSnapshots, verdict.snapshot);
      } else {
        counts.dropped[verdict.reason]++;
        ctx.metrics.count("account_sync_dropped_total", { reason: verdict.reason });
        if (verdict.log)
          ctx.log.warn(
            { reason: verdict.reason, detail: verdict.detail, suppressed: verdict.suppressed },
            "account snapshot dropped",
          );
      }
      ctx.publishStatus(status);
    };
    pump = (async () => {
      try {
        while (!closing) onMessage(await socket.receive());
      } catch (err) {
        if (!closing) ctx.log.error({ err, endpoint }, "account snapshot socket failed");
      }
    })();
    ctx.publishStatus(status);
    return { handle: {} };
  },
});
