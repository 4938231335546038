/**
 * The report's entry points for the runner and the CLI: check the report paths before a replay starts (a
 * path that cannot be written must fail then, not after an hour of replay) and write the files after it.
 */

import { constants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { toReportHtml } from "./html.js";
import { toReportJson } from "./json.js";
import type { BacktestRecord } from "./record.js";

export interface ReportPaths {
  readonly json?: string;
  readonly html?: string;
}

export class ReportPathError extends Error {
  override readonly name = "ReportPathError";
}

async function checkWritable(kind: string, file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat) throw new ReportPathError(`cannot write the ${kind} report ${file}: directory ${dir} does not exist`);
  if (!dirStat.isDirectory()) {
    throw new ReportPathError(`cannot write the ${kind} report ${file}: ${dir} is not a directory`);
  }
  const fileStat = await stat(file).catch(() => undefined);
  if (fileStat?.isDirectory()) throw new ReportPathError(`cannot write the ${kind} report ${file}: it is a directory`);
  await access(fileStat ? file : dir, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
    throw new ReportPathError(`cannot write the ${kind} report ${file}: ${err.code ?? err.message}`);
  });
}

/** Fails with one line naming the path and the reason when a report could not be written; creates nothing. */
export async function checkReportPaths(paths: ReportPaths): Promise<void> {
  if (paths.json !== undefined && paths.html !== undefined && path.resolve(paths.json) === path.resolve(paths.html)) {
    throw new ReportPathError(`the JSON and HTML reports name the same file ${paths.json}`);
  }
  if (paths.json !== undefined) await checkWritable("JSON", paths.json);
  if (paths.html !== undefined) await checkWritable("HTML", paths.html);
}

export async function writeReports(record: BacktestRecord, paths: ReportPaths): Promise<void> {
  if (paths.json !== undefined) await writeFile(paths.json, toReportJson(record));
  if (paths.html !== undefined) await writeFile(paths.html, toReportHtml(record));
}
