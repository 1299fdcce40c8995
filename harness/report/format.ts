/** How the reports write figures for people: percentages, ms, counts, seconds, the load model. Pure. */
import type { VariantResult } from '../model/results.ts'

/** A fraction as a percentage with one decimal: 0.0912 → `9.1%`. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`

/** A latency in ms with three significant figures or so: `7.49`, `26.3`, `1002`. */
export const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

/** A count, rounded, with thousands separators: `40,963`. */
export const num = (x: number): string => Math.round(x).toLocaleString('en-US')

/** Seconds with two decimals, `—` for null: `3.07s`. */
export const sec = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}s`)

/**
 * A latency percentile of `v`, in ms; one that lands on the request timeout (within the HDR
 * histogram's 0.1%) is censored there (timeouts and drops sit at it), so it reads `≥ 2000`.
 */
export function latencyText(v: Pick<VariantResult, 'load'>, x: number): string {
  const t = v.load?.requestTimeoutMs
  return isCensored(v, x) ? `≥ ${ms(t!)}` : ms(x)
}

/** Whether a latency of `v` sits at its request timeout (within the HDR histogram's 0.1%): censored, the real latency is longer. */
export function isCensored(v: Pick<VariantResult, 'load'>, x: number): boolean {
  const t = v.load?.requestTimeoutMs
  return t !== undefined && t > 0 && x >= t * (1 - 1e-3)
}

/** Which load model ran and how: `closed, 50 conn`, `open 3,000/s`, `open 0→500→4,000/s poisson`. */
export function loadLabel(v: Pick<VariantResult, 'load'>): string {
  const l = v.load
  if (l === undefined) return 'closed'
  const ka = l.keepAlive ? '' : ', no keep-alive'
  if (l.model === 'closed') return `closed, ${num(l.connections)} conn${ka}`
  return `open ${l.ratesRps.map(num).join('→')}/s${l.arrival === 'poisson' ? ' poisson' : ''}${ka}`
}

/** A χ² p-value as the tables print it: `=0.412`, `<0.001`, `n/a`. */
export function fmtP(p: number | null): string {
  if (p === null) return 'n/a'
  return p < 0.001 ? '<0.001' : `=${p.toFixed(3)}`
}
