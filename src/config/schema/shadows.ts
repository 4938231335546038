/** `shadows:` — shadows attached when the daemon starts (docs/shadow.md); more can be attached at run time. */
import { z } from "zod";
import { flag, reportRule, text } from "./fields.js";

/** Where a shadow's actors run: `own` worker thread `shadow-NAME` (the default), or the daemon's `main` thread. */
export const SHADOW_THREADS = ["own", "main"] as const;
export type ShadowThread = (typeof SHADOW_THREADS)[number];

/** A shadow's name: its child group is `shadow-NAME`, its worker thread too. */
export const SHADOW_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const shadowSchema = z
  .strictObject({
    name: z.string().regex(SHADOW_NAME, { error: `a name matching ${SHADOW_NAME}` }),
    config: text().optional(), // a config file for the shadow, relative to the working directory
    set: z.record(text(), z.unknown()).optional(), // dotted path → value, written over the live config
    mirror: flag().default(false), // the live config itself
    thread: z.enum(SHADOW_THREADS).default("own"), // own: its own worker; main: the daemon's main thread
  })
  .superRefine((s, ctx) => {
    const given = [s.config !== undefined, s.set !== undefined, s.mirror].filter(Boolean).length;
    if (given !== 1) reportRule(ctx, ["name"], s.name, "exactly one of config, set or mirror: true");
  });

export const shadowsSchema = z
  .array(shadowSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.name)) reportRule(ctx, [i, "name"], s.name, "a name no other shadow has");
      seen.add(s.name);
    });
  });
