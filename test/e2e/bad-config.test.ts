/** Hostile config files given to the real CLI (`bin/leadlag.js`): each must exit 2 with a plain message. */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";
import { minimalConfig } from "../fixtures/config.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "leadlag-bad-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function leadlag(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fromRoot("bin", "leadlag.js"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function configFile(name: string, text: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Each level refers to the one before nine times: 9^8 nodes if the aliases were expanded. */
function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= 8; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return minimalConfig(lines.join("\n") + "\n");
}

const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe("bad configs exit 2 with a message, never a stack trace", () => {
  it("an alias bomb", async () => {
    const file = await configFile("bomb.yaml", aliasBomb());
    for (const command of ["check-config", "run"]) {
      const { code, stderr } = await leadlag(command, file);
      expect(code).toBe(2);
      expect(stderr).toContain("1 configuration error");
      expect(stderr).toContain("aliases");
      noStackTrace(stderr);
    }
  });

  it("a file larger than the limit, refused before it is parsed", async () => {
    const file = await configFile("huge.yaml", minimalConfig(`# ${"x".repeat(8 * 1024 * 1024)}\n`));
    for (const command of ["check-config", "run"]) {
      const { code, stderr } = await leadlag(command, file);
      expect(code).toBe(2);
      expect(stderr).toContain("a config file of at most 4 MiB");
      noStackTrace(stderr);
    }
  });

  it("a file that never ends (/dev/zero) is read only up to the limit", async () => {
    const { code, stderr } = await leadlag("check-config", "/dev/zero");
    expect(code).toBe(2);
    expect(stderr).toContain("a config file of at most 4 MiB");
  });

  it("110,000 unknown keys: counted in full, the first 100 listed with their lines", async () => {
    const keys = Array.from({ length: 110_000 }, (_, i) => `unknown_key_${i}: ${i}`).join("\n");
    const file = await configFile("many.yaml", minimalConfig(`${keys}\n`));
    const { code, stderr } = await leadlag("check-config", file);
    expect(code).toBe(2);
    expect(stderr).toContain("110000 configuration errors (the first 100 listed)");
    expect(stderr).toContain(`→ at unknown_key_0 (${file}:5:`);
    expect(stderr).toContain(`→ at unknown_key_99 (${file}:104:`);
    expect(stderr).not.toContain("unknown_key_100 ");
    expect(stderr).toContain("… and 109900 more");
  });

  it("110,000 repeated keys: each a YAML error, the first 100 listed", async () => {
    const keys = Array.from({ length: 110_000 }, () => "mode: live").join("\n");
    const file = await configFile("repeated.yaml", minimalConfig(`${keys}\n`));
    const { code, stderr } = await leadlag("check-config", file);
    expect(code).toBe(2);
    expect(stderr).toContain("109999 configuration errors (the first 100 listed)");
    expect(stderr).toContain("valid YAML (Map keys must be unique)");
    expect(stderr).toContain(`(${file}:6:1)`);
  });
});
