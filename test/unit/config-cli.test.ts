import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { fromRoot } from "../../src/runtime/paths.js";
import { REDACTED, redactSecrets } from "../../src/config/index.js";
import { minimalConfig } from "../fixtures/config.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "leadlag-check-config-"));
});
afterEach(() => vi.restoreAllMocks());

/** Runs `leadlag …` in-process and captures what it writes. */
async function leadlag(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout: out.join(""), stderr: err.join("") };
}

async function configFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe("leadlag check-config", () => {
  it("exits 0 with a one-line summary for a valid file", async () => {
    const { code, stdout } = await leadlag("check-config", fromRoot("test", "fixtures", "config-reference.yaml"));
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stdout).toMatch(
      /^OK .*config-reference\.yaml: mode live, market data zmq, execution zmq\/paper, 1 strategy \(2 symbols\)/,
    );
  });

  it("exits 2 listing every error", async () => {
    const file = await configFile(
      "bad.yaml",
      minimalConfig("      atr_period: 0\n      atr_peroid: 3\nmode: sideways\n"),
    );
    const { code, stdout, stderr } = await leadlag("check-config", file);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("3 configuration errors");
    expect(stderr).toContain("→ at mode");
    expect(stderr).toContain("→ at strategies[0].config.atr_period");
    expect(stderr).toContain("→ at strategies[0].config.atr_peroid");
  });

  it("applies --profile and refuses an unknown one", async () => {
    const file = await configFile(
      "profiles.yaml",
      `${minimalConfig()}profiles:\n  broken:\n    runtime: {spin: {spin_us: -5}}\n`,
    );
    expect((await leadlag("check-config", file)).code).toBe(0);
    const broken = await leadlag("check-config", file, "--profile", "broken");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("runtime.spin.spin_us");
    expect((await leadlag("check-config", file, "--profile", "missing")).code).toBe(2);
  });

  it("--print writes the resolved config as JSON with secrets redacted", async () => {
    const file = await configFile(
      "secrets.yaml",
      `${minimalConfig()}runtime:\n  database_url: postgresql://app:hunter2@db:5432/leadlag\n  control:\n    ` +
        `token: \${LEADLAG_TEST_TOKEN:t0ps3cret}\n`,
    );
    const { code, stdout } = await leadlag("check-config", file, "--print");
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.runtime.control.token).toBe(REDACTED);
    expect(printed.runtime.database_url).toBe(`postgresql://app:${REDACTED}@db:5432/leadlag`);
    expect(printed.strategies[0].config.atr_period).toBe(40);
    expect(stdout).not.toContain("hunter2");
    expect(stdout).not.toContain("t0ps3cret");
  });

  it("exits 2 for a missing file or a missing argument", async () => {
    expect((await leadlag("check-config", path.join(dir, "absent.yaml"))).code).toBe(2);
    expect((await leadlag("check-config")).code).toBe(2);
  });
});

describe("redactSecrets", () => {
  it("hides token/password/secret keys whole and only the password of connection URLs", () => {
    const redacted = redactSecrets({
      a: { password: "p", api_secret: "s" },
      connection: "postgresql://u:pw@h/db",
      other: "postgresql://u:pw@h/db",
    });
    expect(redacted).toEqual({
      a: { password: REDACTED, api_secret: REDACTED },
      connection: `postgresql://u:${REDACTED}@h/db`,
      other: "postgresql://u:pw@h/db",
    });
  });
});
