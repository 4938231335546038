import { writeFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { Command } from "../command.js";
import { UsageError } from "../command.js";
import { parseCommandArgs } from "../args.js";
import { parseConfig, readConfigText, SHADOW_THREADS } from "../../config/index.js";
import { shadowReportHtml, type ShadowReportView } from "./shadow-html.js";

const DEFAULT_URL = "http://127.0.0.1:8082";
/** The control token (`runtime.control.token`) when the daemon is not on loopback. */
const TOKEN_ENV = "LEADLAG_CONTROL_TOKEN";

const USAGE = `usage:
  leadlag shadow attach NAME (--config FILE | --set PATH=VALUE [--set …] | --mirror) [--thread own|main]
  leadlag shadow list
  leadlag shadow detach NAME
  leadlag shadow report NAME [--json FILE] [--html FILE]
  leadlag shadow promote NAME --write FILE

Shadows of the running daemon (docs/shadow.md), over its control API. Every form takes
--url URL (default ${DEFAULT_URL}) and --token TOKEN (default $${TOKEN_ENV}).
--thread: the shadow's actors on their own worker (own, the default) or on the daemon's main thread.
A --set value is read as YAML: --set strategies.0.config.entry_threshold=1.5.
promote writes the shadow's config as a config file for the next start; it never changes the live daemon.`;

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

async function call(url: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, url), {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a config file): the text itself.
  }
  return { status: res.status, body: parsed, text } satisfies Reply;
}

/** `PATH=VALUE` pairs as the `set` mapping, each value read as YAML. */
export function parseSetPairs(pairs: readonly string[]): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--set takes PATH=VALUE, got '${pair}'`);
    set[pair.slice(0, at)] = parseYaml(pair.slice(at + 1)) as unknown;
  }
  return set;
}

/** The daemon's refusal, with every error and its path, on stderr. */
function refused(reply: Reply): number {
  const body = reply.body as { error?: string; errors?: { path: string; message: string }[] };
  process.stderr.write(`leadlag shadow: HTTP ${reply.status}: ${body.error ?? reply.text}\n`);
  for (const e of body.errors ?? []) process.stderr.write(`  ✖ ${e.path || "(request)"}: ${e.message}\n`);
  return 1;
}

function summaryLines(report: { shadow: { name: string; state: string }; summary: Record<string, number> }): string {
  const s = report.summary;
  return [
    `shadow ${report.shadow.name} (${report.shadow.state})`,
    `  decisions ${s.decisions} (entered ${s.entered}); live ${s.live_decisions} (entered ${s.live_entered})`,
    `  orders ${s.orders_proposed}, simulated fills ${s.fills}`,
    `  realized PnL ${s.realized_pnl_usd.toFixed(2)} USD, unrealized ${s.unrealized_pnl_usd.toFixed(2)} USD`,
    `  jumps compared ${s.jumps_compared}, disagreements with live ${s.disagreements}`,
  ].join("\n");
}

export const shadowCommand: Command = {
  name: "shadow",
  summary: "attach, list, report, detach or promote shadows of the running daemon",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      url: { type: "string", default: DEFAULT_URL },
      token: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
      mirror: { type: "boolean", default: false },
      thread: { type: "string", default: "own" },
      json: { type: "string" },
      html: { type: "string" },
      write: { type: "string" },
    });
    const [action, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    const url = values.url!;
    const token = values.token ?? process.env[TOKEN_ENV];
    const needName = () => {
      if (name === undefined) throw new UsageError(`shadow ${action} needs a NAME`);
      return encodeURIComponent(name);
    };
    let reply: Reply;
    try {
      switch (action) {
        case "attach": {
          needName();
          const given = [values.config !== undefined, (values.set ?? []).length > 0, values.mirror].filter(Boolean);
          if (given.length !== 1) throw new UsageError("attach takes exactly one of --config FILE, --set or --mirror");
          const thread = values.thread!;
          if (!(SHADOW_THREADS as readonly string[]).includes(thread))
            throw new UsageError(`--thread: own or main, got '${thread}'`);
          const source =
            values.config !== undefined
              ? { config: await readConfigText(values.config) }
              : values.mirror
                ? { mirror: true }
                : { set: parseSetPairs(values.set ?? []) };
          const body = { name, ...source, thread };
          reply = await call(url, token, "POST", "/control/shadows", body);
          if (reply.status !== 201) return refused(reply);
          process.stdout.write(`attached shadow ${name} (thread: ${thread})\n`);
          return 0;
        }
        case "list": {
          reply = await call(url, token, "GET", "/control/shadows");
          if (reply.status !== 200) return refused(reply);
          const { shadows } = reply.body as {
            shadows: {
              name: string;
              state: string;
              source: string;
              thread: string;
              attachedAt: string;
              tapDroppedFrames: number;
            }[];
          };
          if (shadows.length === 0) process.stdout.write("(no shadows)\n");
          else
            for (const s of shadows)
              process.stdout.write(
                `${s.name}\t${s.state}\t${s.source}\tthread ${s.thread}\tsince ${s.attachedAt}\tdropped ${s.tapDroppedFrames}\n`,
              );
          return 0;
        }
        case "detach": {
          reply = await call(url, token, "DELETE", `/control/shadows/${needName()}`);
          if (reply.status !== 200) return refused(reply);
          process.stdout.write(`detached shadow ${name}\n`);
          return 0;
        }
        case "report": {
          reply = await call(url, token, "GET", `/control/shadows/${needName()}/report`);
          if (reply.status !== 200) return refused(reply);
          if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(reply.body, null, 2) + "\n");
          if (values.html !== undefined) writeFileSync(values.html, shadowReportHtml(reply.body as ShadowReportView));
          process.stdout.write(summaryLines(reply.body as Parameters<typeof summaryLines>[0]) + "\n");
          return 0;
        }
        case "promote": {
          if (values.write === undefined) throw new UsageError("promote needs --write FILE");
          reply = await call(url, token, "GET", `/control/shadows/${needName()}/config`);
          if (reply.status !== 200) return refused(reply);
          // The file must load as it would at the next start (its ${VAR} references from this environment).
          parseConfig(reply.text, { sourceName: values.write });
          writeFileSync(values.write, reply.text);
          process.stdout.write(`wrote shadow ${name}'s config to ${values.write}; start it with leadlag run\n`);
          return 0;
        }
        default:
          throw new UsageError(action === undefined ? "missing action" : `unknown action '${action}'`);
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      process.stderr.write(`leadlag shadow: ${(err as Error).message}\n`);
      return 1;
    }
  },
};
