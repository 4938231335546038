/**
 * Hostile HTTP against the health and control server, with an operator token configured (finding 2 killed
 * the daemon with one request either way): request lines no client sends (`//`, `%ZZ`, absolute and
 * asterisk forms, garbage), a 10 MB body, huge headers, slowloris connections and 500 concurrent
 * connections. The daemon must never exit and must answer each with a 4xx that says what was wrong (never
 * 5xx), and `/health` must keep answering. A daemon one request killed is started again, so every probe runs.
 */
import net from "node:net";
import { Daemon, describeExit } from "../harness/daemon.js";
import { tradingConfig, writeConfig } from "../harness/configs.js";
import { probeHealth, rawRequest, rawUpload } from "../harness/http.js";
import { totalRestarts } from "../harness/observe.js";
import { freePorts } from "../harness/ports.js";
import { sleep } from "../harness/wait.js";
import type { Scenario, ScenarioContext, ScenarioReport } from "../scenario.js";

const TOKEN = "reliability-operator-token";
const AUTH = `Authorization: Bearer ${TOKEN}\r\n`;
const SLOWLORIS = 300;
const SLOWLORIS_S = 10;
const CONCURRENT = 500;

interface Probe {
  readonly name: string;
  /** The request as bytes, or a head and a body size for a body too large to build (sent in chunks). */
  readonly bytes: () => string | Buffer | { readonly head: string; readonly bodyBytes: number };
  /** Statuses that are a correct answer. */
  readonly expect: readonly number[];
  /** The request is cut short by the client: closing without an answer is correct too. */
  readonly mayGoUnanswered?: boolean;
}

const get = (target: string, headers = "") =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`;
const post = (target: string, body = "", headers = AUTH) =>
  `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Type: application/json\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

const upload = (target: string, bodyBytes: number) => ({
  head: post(target).replace(/Content-Length: \d+/, `Content-Length: ${bodyBytes}`),
  bodyBytes,
});

const PROBES: readonly Probe[] = [
  { name: "GET // (curl --path-as-is)", bytes: () => get("//"), expect: [400, 404] },
  { name: "GET ///health", bytes: () => get("///health"), expect: [400, 404] },
  { name: "GET /%ZZ", bytes: () => get("/%ZZ"), expect: [400, 404] },
  { name: "POST /control/actors/%ZZ/restart", bytes: () => post("/control/actors/%ZZ/restart"), expect: [400, 404] },
  { name: "POST /control/actors/%ZZ/crash", bytes: () => post("/control/actors/%ZZ/crash"), expect: [400, 403, 404] },
  {
    name: "POST /control/actors/%E0%A4%A/restart",
    bytes: () => post("/control/actors/%E0%A4%A/restart"),
    expect: [400, 404],
  },
  { name: "GET /health?%ZZ=%ZZ", bytes: () => get("/health?%ZZ=%ZZ&a=%"), expect: [200, 400, 503] },
  {
    name: "GET http://evil.example/health (absolute form)",
    bytes: () => get("http://evil.example/health"),
    expect: [200, 400, 404, 503],
  },
  {
    name: "OPTIONS * (asterisk form)",
    bytes: () => "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    expect: [400, 404, 405],
  },
  { name: "BREW /health", bytes: () => get("/health").replace("GET", "BREW"), expect: [400, 405, 501] },
  { name: "POST /risk/reset without the token", bytes: () => post("/risk/reset", "", ""), expect: [401] },
  {
    name: "POST /risk/reset with a wrong token",
    bytes: () => post("/risk/reset", "", "Authorization: Bearer nope\r\n"),
    expect: [401],
  },
  { name: "POST /risk/reset, body not JSON", bytes: () => post("/risk/reset", "{not json"), expect: [202, 400] },
  { name: "POST /risk/reset, 10 MB body", bytes: () => upload("/risk/reset", 10 * 1024 * 1024), expect: [413] },
  {
    name: "POST, Content-Length 10 MB, 1 byte sent",
    bytes: () => post("/risk/reset").replace(/Content-Length: \d+/, "Content-Length: 10485760") + "{",
    expect: [400, 408, 413],
    mayGoUnanswered: true,
  },
  {
    name: "GET /health, 64 KB header",
    bytes: () => get("/health", `X-Junk: ${"j".repeat(64 * 1024)}\r\n`),
    expect: [431],
  },
  { name: "GET 100 KB path", bytes: () => get(`/${"p".repeat(100 * 1024)}`), expect: [404, 414, 431] },
  { name: "garbage bytes", bytes: () => Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), expect: [400] },
  {
    name: "POST /control/actors/..%2F..%2Fetc%2Fpasswd/restart",
    bytes: () => post("/control/actors/..%2F..%2Fetc%2Fpasswd/restart"),
    expect: [400, 404],
  },
  { name: "GET /positions/%00", bytes: () => get("/positions/%00"), expect: [400, 404] },
];

export const hostileHttp: Scenario = {
  name: "hostile-http",
  budgetS: 240,
  async run({ scope, progress }: ScenarioContext, report: ScenarioReport) {
    const dir = scope.tempDir("run");
    const [health, trades, books] = await freePorts(3);
    const config = writeConfig(
      dir,
      tradingConfig({
        dir,
        ports: { health, trades, books },
        marketFrom: "embedded",
        venue: "paper",
        trade: false,
        token: TOKEN,
      }),
    );
    let incarnation = 1;
    let daemon = Daemon.run(scope, `daemon #${incarnation}`, config, health);
    await daemon.waitHealthy(90_000);
    const ensureAlive = async (after: string) => {
      await sleep(100);
      if (daemon.alive) return;
      report.check(false, `the daemon exited (${describeExit(daemon.exitInfo!)}) on '${after}'`, daemon);
      daemon = Daemon.run(scope, `daemon #${++incarnation}`, config, health);
      await daemon.waitHealthy(90_000);
    };

    const answers: string[] = [];
    for (const probe of PROBES) {
      const bytes = probe.bytes();
      const answer =
        typeof bytes === "string" || Buffer.isBuffer(bytes)
          ? await rawRequest(health, bytes, 10_000)
          : await rawUpload(health, bytes.head, bytes.bodyBytes);
      answers.push(`${answer.status ?? "none"}`);
      report.check(
        answer.status === undefined ? probe.mayGoUnanswered === true : probe.expect.includes(answer.status),
        `${probe.name}: answered ${answer.status ?? `nothing (${answer.error})`}, ` +
          `expected ${probe.expect.join(" or ")}`,
        daemon,
      );
      await ensureAlive(probe.name);
    }
    progress(`${PROBES.length} hostile requests done; slowloris`);
    const restartsBefore = await totalRestarts(daemon);

    // Slowloris: connections that trickle a header byte a second; /health must keep answering meanwhile.
    const slow = await slowloris(health, SLOWLORIS, SLOWLORIS_S, async () => {
      const h = await probeHealth(health, 2000);
      return h.status === undefined ? `no answer (${h.error})` : h.ms > 2000 ? `${h.ms.toFixed(0)} ms` : undefined;
    });
    report.check(
      slow.length === 0,
      `/health during ${SLOWLORIS} slowloris connections: ${slow.slice(0, 3).join(", ")}`,
      daemon,
    );
    await ensureAlive("slowloris");

    progress(`${CONCURRENT} concurrent connections`);
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, () => rawRequest(health, get("/health"), 30_000)),
    );
    const answered = statuses.filter((s) => s.status === 200).length;
    report.check(
      answered === CONCURRENT,
      `${CONCURRENT} concurrent GET /health: ${answered} answered 200 ` +
        `(${[...new Set(statuses.map((s) => s.status ?? s.error))].join(", ")})`,
      daemon,
    );
    await ensureAlive("500 concurrent connections");

    const after = await probeHealth(health);
    report.check(
      after.status === 200 && after.state === "ok",
      `/health afterwards: ${after.status ?? after.error} ${after.state}`,
      daemon,
    );
    const restarts = (await totalRestarts(daemon)) - restartsBefore;
    report.check(restarts === 0, `${restarts} actor restarts under the connection load`, daemon);
    const stopped = await daemon.stop("SIGINT", 20_000);
    report.check(stopped.code === 0 && !stopped.forced, `SIGINT afterwards: ${describeExit(stopped)}`, daemon);

    report.load = `${SLOWLORIS} slowloris connections for ${SLOWLORIS_S} s, ${CONCURRENT} concurrent connections`;
    report.badInputs = `${PROBES.length} hostile requests (answers: ${answers.join(" ")})`;
    if (incarnation > 1) report.note(`${incarnation - 1} daemon(s) killed by a request and started again`);
  },
};

/**
 * Opens `count` connections that send a partial request and then one header byte a second; returns what the
 * probe complained of meanwhile.
 */
async function slowloris(
  port: number,
  count: number,
  seconds: number,
  probe: () => Promise<string | undefined>,
): Promise<string[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.on("error", () => undefined);
    s.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    sockets.push(s);
  }
  const complaints: string[] = [];
  try {
    for (let t = 0; t < seconds; t++) {
      for (const s of sockets) if (!s.destroyed) s.write("a");
      const complaint = await probe();
      if (complaint !== undefined) complaints.push(complaint);
      await sleep(1000);
    }
  } finally {
    for (const s of sockets) s.destroy();
  }
  return complaints;
}
