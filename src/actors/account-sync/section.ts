import type { Config } from "../../config/index.js";

/** What the account-sync subscriber reads: whether orders go to an external engine, its feed and account. */
export interface AccountSyncSection {
  /** Only `zmq` (an external engine) has snapshots to read; the paper venue is its own account. */
  readonly provider: Config["execution"]["provider"];
  /** `observability.accounts_zmq`. */
  readonly host: string;
  readonly port: number;
  readonly accountId: string;
}

export function accountSyncSection(config: Config): AccountSyncSection {
  const { host, port } = config.observability.accounts_zmq;
  return { provider: config.execution.provider, host, port, accountId: config.runtime.account_id };
}
