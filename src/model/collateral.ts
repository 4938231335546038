/**
 * USD stablecoins are one collateral for the ledger and risk: a config funded in USDT trades Hyperliquid
 * perps that settle in USDC. Balances and quotes in any of these are booked as `USD`.
 */
const USD_STABLECOINS: ReadonlySet<string> = new Set(["USD", "USDT", "USDC"]);

export function collateralAsset(asset: string): string {
  return USD_STABLECOINS.has(asset.toUpperCase()) ? "USD" : asset;
}
