/**
 * Durations in scenarios and flags: a number of milliseconds, or a string
 * `<number><unit>` with unit ms, s or m (e.g. `250ms`, `2s`, `1.5m`).
 */

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m)$/

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const

/** Milliseconds for a duration value, or undefined when it does not parse. */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : undefined
  }
  if (typeof value !== 'string') return undefined
  const m = DURATION_RE.exec(value.trim())
  if (m === null) return undefined
  const unit = m[2] as keyof typeof UNIT_MS
  return Number(m[1]) * UNIT_MS[unit]
}

/** Short human form of a millisecond count: `250ms`, `2s`, `1.5s`, `2m`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  return `${Number((ms / 1000).toFixed(3))}s`
}
