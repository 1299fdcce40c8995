import { INK, bucketSeconds, type ChartBuilder } from './common.ts'
import { bucketTooltip, timeSeriesByVariant } from './time.ts'

/** Outcomes in the stack, bottom up. */
const OUTCOMES = ['succeeded', 'errors', 'dropped'] as const

/**
 * Open-model runs: each second's scheduled requests as stacked bars by outcome (succeeded,
 * errors, dropped; by intended start, so the stack's top is the schedule) and a line of the
 * requests completed in that second, one panel per open-model variant.
 */
export const scheduledVsCompleted: ChartBuilder = (result) => {
  const open = result.variants.filter((v) => v.load?.model === 'open')
  if (open.length === 0) return undefined
  const rows: Record<string, unknown>[] = []
  for (const v of open) {
    // Long runs: one bar per bucket of w seconds, at the bucket's mean rate.
    const w = bucketSeconds(v.durationSec)
    const acc = new Map<number, { scheduled: number; errors: number; dropped: number; completed: number }>()
    for (const t of v.timeline) {
      const b = Math.floor(t.tSec / w) * w
      const e = acc.get(b) ?? { scheduled: 0, errors: 0, dropped: 0, completed: 0 }
      e.scheduled += t.scheduled ?? 0
      e.errors += t.errors
      e.dropped += t.dropped ?? 0
      e.completed += t.completed ?? 0
      acc.set(b, e)
    }
    for (const [b, e] of acc) {
      const perSec = { succeeded: Math.max(0, e.scheduled - e.errors - e.dropped), errors: e.errors, dropped: e.dropped }
      for (const outcome of OUTCOMES) rows.push({ kind: 'series', variant: v.name, tSec: b, tEnd: b + w, second: b, outcome, perSec: perSec[outcome] / w })
      rows.push({ kind: 'series', variant: v.name, tSec: b + w / 2, tEnd: b + w, second: b, outcome: 'completed', perSec: e.completed / w })
    }
  }
  const tooltip = bucketTooltip('second', 'tEnd', { field: 'outcome', title: 'outcome' }, { field: 'perSec', title: 'requests/s', format: ',.1f' })
  return timeSeriesByVariant(
    { ...result, variants: open },
    {
      name: 'scheduled-vs-completed',
      title: 'Scheduled vs completed per second',
      subtitle: "bars: each second's scheduled requests by outcome (their top is the schedule); line: requests completed in that second",
      rows,
      height: 120,
      series: {
        layer: [
          {
            transform: [{ filter: "datum.outcome !== 'completed'" }],
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'tSec', type: 'quantitative', bin: { binned: true } },
              x2: { field: 'tEnd' },
              y: { field: 'perSec', type: 'quantitative', stack: 'zero', title: 'requests/s' },
              color: { field: 'outcome', type: 'nominal', title: 'outcome', sort: [...OUTCOMES, 'completed'], scale: { domain: [...OUTCOMES, 'completed'], range: [INK.blue, INK.vermillion, INK.orange, INK.black] } },
              order: { field: 'outcome', sort: 'descending' },
              tooltip,
            },
          },
          {
            transform: [{ filter: "datum.outcome === 'completed'" }],
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'tSec', type: 'quantitative' },
              y: { field: 'perSec', type: 'quantitative' },
              color: { field: 'outcome', type: 'nominal' },
              tooltip,
            },
          },
        ],
      },
    },
  )
}
