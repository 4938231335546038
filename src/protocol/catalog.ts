import type { MessageDef } from "./message.js";
import type { AnyMessage } from "./codec.js";
import { Codec } from "./codec.js";
import * as control from "./control.js";
import * as marketData from "./market-data.js";

/**
 * Every message that crosses a thread, in a fixed order: the order defines the shared msgpack structures,
 * so append new messages at the end of their family and never reorder.
 */
export const catalog: readonly MessageDef<AnyMessage>[] = [
  control.StopActor,
  control.CrashActor,
  control.Ping,
  control.Pong,
  marketData.Trade,
  marketData.Book,
];

/** A codec over the whole catalogue. Each thread builds its own (a Packr is not shareable). */
export function createCodec(): Codec {
  return new Codec(catalog);
}

export function messageDef(type: string): MessageDef<AnyMessage> | undefined {
  return catalog.find((d) => d.type === type);
}
