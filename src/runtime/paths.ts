import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

/** Repository root (the folder holding package.json), whether running from src/ or dist/. */
export const packageRoot: string = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const distAt = parts.lastIndexOf("dist");
  const srcAt = parts.lastIndexOf("src");
  const cut = distAt >= 0 && distAt > srcAt - 2 ? distAt : srcAt;
  return parts.slice(0, cut).join(path.sep) || path.sep;
})();

/**
 * Worker threads always load compiled JavaScript: starting a worker through a TypeScript loader is slow
 * enough to blow the restart budget (docs/benchmarks.md). Maps `<root>/src/a/b.ts` to `<root>/dist/src/a/b.js`;
 * under dist/ only the extension changes (a `.ts` URL built relative to a compiled module).
 */
export function compiledUrl(moduleUrl: string | URL): URL {
  const file = fileURLToPath(moduleUrl);
  const rel = path.relative(packageRoot, file).replace(/\.ts$/, ".js");
  const inDist = rel.startsWith(`dist${path.sep}`);
  return pathToFileURL(path.join(packageRoot, inDist ? "" : "dist", rel));
}

/** Resolves a path given relative to the repository root (configs, fixtures). */
export function fromRoot(...segments: string[]): string {
  return path.join(packageRoot, ...segments);
}
