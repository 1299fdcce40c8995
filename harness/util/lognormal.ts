/**
 * The lognormal service-time model's parameters, shared by the scenario check (is this mean and
 * p99 reachable?) and the pod's sampler (which σ and μ give them), so the constant and the
 * formula exist once:
 *   ln p99 − ln mean = σ·z99 − σ²/2  →  σ = z99 − √(z99² − 2·ln(p99/mean)), μ = ln mean − σ²/2.
 */

/** The standard normal's 0.99 quantile (z99). */
export const Z99 = 2.3263478740408408

/**
 * Largest p99/mean a lognormal with a given mean reaches: exp(z99²/2) ≈ 14.97 (where the square
 * root above reaches 0; beyond it no σ fits).
 */
export const LOGNORMAL_MAX_P99_OVER_MEAN = Math.exp((Z99 * Z99) / 2)

/** σ and μ of the lognormal with the given mean and p99 (ms). Precondition: mean < p99 ≤ 14.97·mean. */
export function lognormalParams(meanMs: number, p99Ms: number): { mu: number; sigma: number } {
  const r = Math.log(p99Ms / meanMs)
  const sigma = Z99 - Math.sqrt(Z99 * Z99 - 2 * r)
  return { mu: Math.log(meanMs) - (sigma * sigma) / 2, sigma }
}
