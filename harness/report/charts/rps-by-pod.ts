import { bucketSeconds, podColorScale, type ChartBuilder } from './common.ts'
import { MAX_TOOLTIP_POINTS, bucketTooltip, timeSeriesByVariant } from './time.ts'

/** Requests per second per pod over time (stacked), one panel per variant, with the fault windows. */
export const rpsByPod: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    const w = bucketSeconds(v.durationSec)
    const acc = new Map<string, { tSec: number; pod: string; sum: number; n: number }>()
    for (const t of v.timeline) {
      const b = Math.floor(t.tSec / w) * w
      for (const [pod, rps] of Object.entries(t.byPod)) {
        const k = `${b}/${pod}`
        const e = acc.get(k) ?? { tSec: b, pod, sum: 0, n: 0 }
        e.sum += rps
        e.n++
        acc.set(k, e)
      }
    }
    const last = new Map<string, { tSec: number; rps: number }>()
    for (const e of acc.values()) {
      rows.push({ kind: 'series', variant: v.name, tSec: e.tSec, tEnd: e.tSec + w, pod: e.pod, rps: e.sum / e.n })
      if ((last.get(e.pod)?.tSec ?? -1) < e.tSec) last.set(e.pod, { tSec: e.tSec, rps: e.sum / e.n })
    }
    // The step-after area ends at its last point: close each pod's last bucket at its end.
    for (const [pod, e] of last) {
      const close = Math.min(e.tSec + w, Math.max(v.durationSec, e.tSec))
      rows.push({ kind: 'series', variant: v.name, tSec: close, tEnd: close, pod, rps: e.rps })
    }
  }
  return timeSeriesByVariant(result, {
    name: 'rps-by-pod',
    title: 'Requests per second per pod',
    subtitle: 'pod-side counts',
    rows,
    height: 140,
    series: {
      // Transparent points carry each bucket's tooltip (an area's own tooltip shows one datum), unless there are too many to draw.
      mark: { type: 'area', interpolate: 'step-after', point: rows.length <= MAX_TOOLTIP_POINTS ? 'transparent' : false },
      encoding: {
        x: { field: 'tSec', type: 'quantitative' },
        y: { field: 'rps', type: 'quantitative', stack: 'zero', title: 'req/s' },
        color: { field: 'pod', type: 'nominal', scale: podColorScale(result), legend: { columns: 2, symbolLimit: 50 } },
        tooltip: bucketTooltip('tSec', 'tEnd', { field: 'pod', title: 'pod' }, { field: 'rps', title: 'req/s', format: ',.1f' }),
      },
    },
  })
}
