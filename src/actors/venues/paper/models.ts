export { bpsFees, constantLatency, type FeeModel, type LatencyModel } from "../matching/models.js";
