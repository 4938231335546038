import type { Logger } from "pino";
import { readConfigText, type Config } from "../../config/index.js";
import type { AttachRequest, ShadowGroups } from "./groups.js";

/**
 * Attaches the config's `shadows:` once the live actors run, in order. A shadow that cannot be attached (its
 * file unreadable, its config refused) is logged with every error and left out: the live daemon goes on.
 */
export async function attachConfiguredShadows(
  shadows: ShadowGroups,
  configured: Config["shadows"],
  log: Logger,
): Promise<void> {
  for (const spec of configured) {
    let request: AttachRequest;
    if (spec.config !== undefined) {
      try {
        request = { name: spec.name, config: await readConfigText(spec.config), thread: spec.thread };
      } catch (err) {
        log.error({ shadow: spec.name, file: spec.config, err }, "shadow not attached: its config file cannot be read");
        continue;
      }
    } else
      request = spec.mirror
        ? { name: spec.name, mirror: true, thread: spec.thread }
        : { name: spec.name, set: spec.set, thread: spec.thread };
    const result = await shadows.attach(request);
    if (result.ok) log.info({ shadow: spec.name }, "shadow attached from the config's shadows list");
    else log.error({ shadow: spec.name, error: result.error, errors: result.errors }, "shadow not attached");
  }
}
