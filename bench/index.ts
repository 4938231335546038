import type { Bench } from "./bench.js";

/** Every benchmark `leadlag bench` knows, by name. */
export const benches: Bench[] = [];
