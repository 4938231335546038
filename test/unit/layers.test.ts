import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fromRoot } from "../../src/runtime/paths.js";

/**
 * The layers of src/, bottom-up (docs/architecture.md, "Layers"): a module imports only its own layer and
 * the layers below it. `src/types` holds ambient declarations only and is imported by no one.
 */
const LAYERS = ["model", "protocol", "transport", "config", "runtime", "actors", "supervisor", "backtest", "cli"];
const NOT_A_LAYER = new Set(["types"]);
/** The one module of src/ allowed to import bench/: `leadlag bench` runs the benchmarks. */
const BENCH_COMMAND = "src/cli/commands/bench.ts";

interface Source {
  /** Relative to the repository root, with forward slashes. */
  readonly file: string;
  readonly text: string;
}

/**
 * Every relative module reference: `from "…"`, `import "…"`, `import("…")` and `new URL("…", import.meta.url)`
 * (worker and actor modules). Of a template literal only the part before the first `${` is kept: enough to
 * name the folder it points into.
 */
const REFERENCE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\bnew URL\(\s*)(["'`])(\.\.?\/[^"'`]*?)(?:\$\{[^`]*)?\1/gm;

function references(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[2]);
}

/** The offending imports of `sources`, one line each: "<file> (<layer>) imports <target> (<layer>)". */
function layerViolations(sources: readonly Source[]): string[] {
  const offenders: string[] = [];
  for (const { file, text } of sources) {
    const [top, layer] = file.split("/");
    for (const ref of references(text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref));
      const [targetTop, targetLayer] = target.split("/");
      if (targetTop === "test" && (top === "src" || top === "bench")) {
        offenders.push(`${file} imports ${target}: src/ and bench/ never import test/`);
      } else if (targetTop === "bench" && top === "src" && file !== BENCH_COMMAND) {
        offenders.push(`${file} imports ${target}: only ${BENCH_COMMAND} may import bench/`);
      } else if (top === "src" && targetTop === "src" && LAYERS.indexOf(targetLayer) > LAYERS.indexOf(layer)) {
        offenders.push(`${file} (${layer}) imports ${target} (${targetLayer}), a higher layer`);
      }
    }
  }
  return offenders;
}

function sourcesUnder(dir: string): Source[] {
  return readdirSync(fromRoot(dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.relative(fromRoot(), path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .map((file) => ({ file, text: readFileSync(fromRoot(file), "utf8") }));
}

describe("layers", () => {
  it("src/ imports only downward, and neither src/ nor bench/ imports test/", () => {
    expect(layerViolations([...sourcesUnder("src"), ...sourcesUnder("bench")])).toEqual([]);
  });

  it("every folder of src/ is a layer", () => {
    const folders = readdirSync(fromRoot("src"), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.map((e) => e.name).filter((name) => !LAYERS.includes(name) && !NOT_A_LAYER.has(name))).toEqual([]);
  });

  it("finds static, dynamic, worker-URL and template references", () => {
    const text = [
      `import { a } from "../a.js";`,
      `import type {`,
      `  B,`,
      `} from "./b.js";`,
      `export { c } from "../c/c.js";`,
      `import "./side-effect.js";`,
      `const d = await import("../d.js");`,
      "const e = new URL(`../actors/${name}/actor.ts`, import.meta.url);",
      `const f = new URL("./worker.ts", import.meta.url);`,
      `import { z } from "zod";`,
    ].join("\n");
    expect(references(text)).toEqual([
      "../a.js",
      "./b.js",
      "../c/c.js",
      "./side-effect.js",
      "../d.js",
      "../actors/",
      "./worker.ts",
    ]);
  });

  it("names each import that runs back up, into test/ or into bench/", () => {
    const offenders = layerViolations([
      { file: "src/model/time.ts", text: `import type { Config } from "../config/index.js";` },
      { file: "src/runtime/inline.ts", text: `const spec = await import("../supervisor/child-spec.js");` },
      { file: "src/supervisor/children.ts", text: "new URL(`../actors/${path}/actor.ts`, import.meta.url)" },
      { file: "src/actors/feed/actor.ts", text: `import { model } from "../../model/time.js";` },
      { file: "bench/hy.bench.ts", text: `import { ticks } from "../test/fixtures/synthetic-ticks.js";` },
      { file: "src/cli/commands/run.ts", text: `import { benches } from "../../../bench/index.js";` },
      { file: BENCH_COMMAND, text: `import { benches } from "../../../bench/index.js";` },
    ]);
    expect(offenders).toEqual([
      "src/model/time.ts (model) imports src/config/index.js (config), a higher layer",
      "src/runtime/inline.ts (runtime) imports src/supervisor/child-spec.js (supervisor), a higher layer",
      "bench/hy.bench.ts imports test/fixtures/synthetic-ticks.js: src/ and bench/ never import test/",
      "src/cli/commands/run.ts imports bench/index.js: only src/cli/commands/bench.ts may import bench/",
    ]);
  });
});
