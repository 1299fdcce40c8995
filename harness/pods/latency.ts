/**
 * Pod service-time samplers. Pure: the caller passes a seeded rng.
 * - constant: always meanMs.
 * - exponential: −mean·ln(U); p99 = mean·ln 100 ≈ 4.6·mean.
 * - lognormal: exp(μ + σZ) with σ, μ solved from the mean and the p99 (util/lognormal.ts).
 */
import type { ResolvedLatency } from '../model/scenario.ts'
import { lognormalParams } from '../util/lognormal.ts'

/** Sampler returning one service time in ms. */
export type LatencySampler = () => number

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
