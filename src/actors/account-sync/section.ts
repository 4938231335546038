import type { Config } from "../../config/index.js";

/** What the account-sync subscriber reads: the engine's account feed and which account is ours. */
export interface AccountSyncSection {
  /** `observability.accounts_zmq`. */
  readonly host: string;
  readonly port: number;
  readonly accountId: string;
}

export function accountSyncSection(config: Config): AccountSyncSection {
  const { host, port } = config.observability.accounts_zmq;
  return { host, port, accountId: config.runtime.account_id };
}
