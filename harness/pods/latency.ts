/**
 * Pod service-time samplers. Pure: the caller passes a seeded rng.
 * - constant: always meanMs.
 * - exponential: −mean·ln(U); p99 = mean·ln 100 ≈ 4.6·mean.
 * - lognormal: exp(μ + σZ) with σ, μ solved from the mean and the p99:
 *   ln p99 − ln mean = σ·z99 − σ²/2  →  σ = z99 − √(z99² − 2·ln(p99/mean)), μ = ln mean − σ²/2.
 */
import type { ResolvedLatency } from '../model/scenario.ts'
const Z99 = 2.3263478740408408

/** Sampler returning one service time in ms. */
export type LatencySampler = () => number

/** σ and μ of the lognormal with the given mean and p99 (ms). Precondition: mean < p99 ≤ 14.97·mean. */
export function lognormalParams(meanMs: number, p99Ms: number): { mu: number; sigma: number } {
  const r = Math.log(p99Ms / meanMs)
  const sigma = Z99 - Math.sqrt(Z99 * Z99 - 2 * r)
  return { mu: Math.log(meanMs) - (sigma * sigma) / 2, sigma }
}

/** A sampler for the resolved latency model, drawing from `rng`. */
export function createLatencySampler(model: ResolvedLatency, rng: () => number): LatencySampler {
  switch (model.dist) {
    case 'constant':
      return () => model.meanMs
    case 'exponential':
      return () => -model.meanMs * Math.log(1 - rng())
    case 'lognormal': {
      const { mu, sigma } = lognormalParams(model.meanMs, model.p99Ms)
      return () => {
        // Box–Muller; 1 − U keeps the log argument in (0, 1].
        const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
        return Math.exp(mu + sigma * z)
      }
    }
  }
}
