import { execFileSync } from "node:child_process";
import { fromRoot } from "../src/runtime/paths.js";

/**
 * Worker threads load compiled modules, test fixture actors included; the product build (tsconfig.build.json)
 * leaves test code out of dist/, so every test run compiles the fixtures into dist/test/ first.
 */
export default function compileFixtures(): void {
  execFileSync(fromRoot("node_modules", ".bin", "tsc"), ["-p", "tsconfig.fixtures.json"], {
    cwd: fromRoot(),
    stdio: "inherit",
  });
}
