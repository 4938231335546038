/** Why a marketstream frame was refused: the reason kinds the feed counts. */
export const WIRE_REJECT_REASONS = [
  "unknown_topic",
  "invalid_json",
  "not_an_object",
  "missing_field",
  "bad_type",
  "bad_timestamp",
  "timestamp_out_of_range",
  "seq_out_of_range",
  "integer_out_of_range",
  "nan_price",
  "nonpositive_price",
  "price_out_of_range",
  "nan_size",
  "negative_size",
  "size_out_of_range",
  "bad_side",
  "length_mismatch",
  "topic_mismatch",
] as const;
export type WireRejectReason = (typeof WIRE_REJECT_REASONS)[number];

/** Why a frame was refused; `field` names the offending key (empty for whole-payload problems). */
export class WireRejection {
  constructor(
    readonly reason: WireRejectReason,
    readonly field: string,
    readonly detail: string,
  ) {}
}

export type WireResult<T> = T | WireRejection;
