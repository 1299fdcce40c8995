/**
 * The open model's arrival schedule: when each request is meant to start, whatever became of the
 * earlier ones. Pure: no clock, randomness from a seeded rng.
 *
 * The rate starts at `startRps` and ramps linearly through each stage to its target (k6's
 * ramping-arrival-rate executor, lib/executor/ramping_arrival_rate.go), then holds the last
 * target until `durationMs`. With Λ(t) = ∫₀ᵗ rate, the k-th arrival is at Λ⁻¹(u_k):
 *
 * - `constant`: u_k = k, so arrivals are evenly spaced in expected count (1/rate apart at a
 *   constant rate; the first at 0), and the same every run;
 * - `poisson`: u_k = E₁ + … + E_k with E ~ Exp(1), which is a Poisson process of rate(t) by the
 *   time-rescaling theorem (Brown et al., "The time-rescaling theorem and its application to
 *   neural spike train data analysis", Neural Computation 14, 2002); seeded, so reproducible.
 */
import { createRng } from '../util/rng.ts'
import type { ArrivalProcess, ResolvedRateStage } from '../model/scenario.ts'
import type { ScheduledOutcome } from './recorder.ts'

/** What {@link createSchedule} follows. */
export interface ScheduleOptions {
  /** Rate at time 0, requests per second. */
  startRps: number
  /** Ramps after it, in order; the last target holds until durationMs. @default [] */
  stages?: readonly ResolvedRateStage[]
  /** The schedule ends here, ms from its origin (no arrival at or after it). */
  durationMs: number
  /** @default 'constant' */
  arrival?: ArrivalProcess
  /** Seed of the poisson gaps. @default 1 */
  seed?: number
}

/** Arrival times, in order. */
export interface Schedule {
  /** The next intended start, ms from the origin (fractional); Infinity once the schedule has ended. */
  next(): number
}

/** One piece of the rate: linear from r0 to r1 req/s over [t0Ms, t0Ms + durMs); Λ at its start. */
interface Segment {
  t0Ms: number
  durMs: number
  r0: number
  r1: number
  lambda0: number
  lambda1: number
}

/** The piecewise-linear rate over [0, durationMs), with the expected count at each piece's ends. */
function segments(o: ScheduleOptions): Segment[] {
  const out: Segment[] = []
  let t = 0
  let r = o.startRps
  let lambda = 0
  const add = (durMs: number, r1: number) => {
    const d = Math.min(durMs, o.durationMs - t)
    if (d <= 0) return
    // Only part of the ramp fits: it ends at the rate it has reached by then.
    const end = d < durMs ? r + ((r1 - r) * d) / durMs : r1
    const l1 = lambda + ((r + end) / 2) * (d / 1000)
    out.push({ t0Ms: t, durMs: d, r0: r, r1: end, lambda0: lambda, lambda1: l1 })
    t += d
    lambda = l1
  }
  for (const s of o.stages ?? []) {
    if (s.durationMs === 0) r = s.targetRps
    else {
      add(s.durationMs, s.targetRps)
      r = s.targetRps
    }
  }
  add(o.durationMs - t, r)
  return out
}

/** τ in [0, D] (ms) with ∫₀^τ rate = c, on a segment: r0·τ + (r1 − r0)·τ²/(2D) = c, in seconds. */
function invert(seg: Segment, c: number): number {
  const dSec = seg.durMs / 1000
  const a = (seg.r1 - seg.r0) / (2 * dSec)
  const b = seg.r0
  // 2c / (b + √(b² + 4ac)): the positive root, stable as a → 0 and for falling rates.
  const disc = Math.max(0, b * b + 4 * a * c)
  const den = b + Math.sqrt(disc)
  const tauSec = den <= 0 ? 0 : (2 * c) / den
  return Math.min(seg.durMs, tauSec * 1000)
}

/** A fresh schedule; the same options give the same times. */
export function createSchedule(o: ScheduleOptions): Schedule {
  const segs = segments(o)
  const poisson = o.arrival === 'poisson'
  const rng = createRng(o.seed ?? 1)
  let i = 0
  let u = 0
  let first = true
  return {
    next() {
      if (first && !poisson) first = false
      else u += poisson ? -Math.log(1 - rng()) : 1
      // Pieces with no expected arrivals (rate 0 throughout) are passed over.
      while (i < segs.length && u >= (segs[i] as Segment).lambda1) i++
      const seg = segs[i]
      if (seg === undefined) return Infinity
      const t = seg.t0Ms + invert(seg, u - seg.lambda0)
      return t < o.durationMs ? t : Infinity
    },
  }
}

/** The schedule's rate at `tMs`, req/s (0 outside [0, durationMs)). */
export function rateAt(o: ScheduleOptions, tMs: number): number {
  const seg = segments(o).find((s) => tMs >= s.t0Ms && tMs < s.t0Ms + s.durMs)
  return seg === undefined ? 0 : seg.r0 + ((seg.r1 - seg.r0) * (tMs - seg.t0Ms)) / seg.durMs
}

/** Expected arrivals in [0, tMs): Λ(t). */
export function expectedArrivals(o: ScheduleOptions, tMs: number): number {
  let n = 0
  for (const s of segments(o)) {
    if (tMs <= s.t0Ms) break
    const tau = Math.min(s.durMs, tMs - s.t0Ms) / 1000
    n = s.lambda0 + s.r0 * tau + ((s.r1 - s.r0) * tau * tau) / (2 * (s.durMs / 1000))
  }
  return n
}

/** What {@link createRunClock} follows: the open plan's rates (load/types.ts OpenPlan's fields). */
export interface RunClockOptions {
  startRps: number
  stages: readonly ResolvedRateStage[]
  arrival: ArrivalProcess
  seed: number
  /** The warm-up's rate, from now to the measured phase's start; 0: no warm-up traffic. */
  warmupRps: number
}

/** An open executor's clock: the warm-up schedule from now, then the measured one from its epoch. */
export interface RunClock {
  /** The measured phase's start and end, performance.now() ms. */
  readonly epochMono: number
  readonly endMono: number
  /** The next intended start (performance.now() ms), Infinity once the schedule has ended. */
  next(): number
  /** A performance.now() time as wall-clock ms (NaN stays NaN). */
  wall(mono: number): number
  /** Set an outcome's times from performance.now() ones (`sent` NaN: never written), and its latency from the intended start. */
  stamp(o: ScheduledOutcome, intended: number, handled: number, sent: number, at: number): void
}

/** The clock of a run whose measured phase starts at `epochMs` (wall clock) and lasts `durationMs`. */
export function createRunClock(epochMs: number, durationMs: number, o: RunClockOptions): RunClock {
  const now = performance.now()
  const epochMono = now + (epochMs - Date.now())
  const warmMs = epochMono - now
  let warm = warmMs > 0 && o.warmupRps > 0 ? createSchedule({ startRps: o.warmupRps, durationMs: warmMs, arrival: o.arrival, seed: o.seed ^ 0x5bd1e995 }) : null
  const measured = createSchedule({ startRps: o.startRps, stages: o.stages, durationMs, arrival: o.arrival, seed: o.seed })
  const wall = (mono: number) => epochMs + (mono - epochMono)
  return {
    epochMono,
    endMono: epochMono + durationMs,
    next() {
      if (warm !== null) {
        const t = now + warm.next()
        // (float rounding must not carry a warm-up request into the measured phase)
        if (t < epochMono) return t
        warm = null
      }
      const t = measured.next()
      return t === Infinity ? Infinity : epochMono + t
    },
    wall,
    stamp(o, intended, handled, sent, at) {
      o.intendedAtMs = wall(intended)
      o.handledAtMs = wall(handled)
      o.sentAtMs = wall(sent)
      o.doneAtMs = wall(at)
      o.latencyMs = at - intended
    },
  }
}
