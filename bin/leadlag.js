#!/usr/bin/env node
// The CLI runs from the compiled tree: worker threads must start from plain JS to restart in milliseconds.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("leadlag: dist/ is missing; run `npm install` (or `npm run build`) first\n");
  process.exit(2);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// Sockets and timers of a finished command must not keep the process alive; everything is flushed by now.
process.exit(code);
