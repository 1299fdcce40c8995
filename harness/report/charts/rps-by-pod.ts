import { bucketSeconds, timeSeriesByVariant, type ChartBuilder } from './common.ts'

/** Requests per second per pod over time (stacked), one panel per variant, with fault markers. */
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
      rows.push({ kind: 'series', variant: v.name, tSec: e.tSec, pod: e.pod, rps: e.sum / e.n })
      if ((last.get(e.pod)?.tSec ?? -1) < e.tSec) last.set(e.pod, { tSec: e.tSec, rps: e.sum / e.n })
    }
    // The step-after area ends at its last point: close each pod's last bucket at its end.
    for (const [pod, e] of last) rows.push({ kind: 'series', variant: v.name, tSec: Math.min(e.tSec + w, Math.max(v.durationSec, e.tSec)), pod, rps: e.rps })
  }
  return timeSeriesByVariant(result, {
    name: 'rps-by-pod',
    title: 'Requests per second per pod',
    subtitle: 'pod-side counts; dashed rules: faults, detection, recovery',
    rows,
    height: 140,
    series: {
      mark: { type: 'area', interpolate: 'step-after' },
      encoding: {
        x: { field: 'tSec', type: 'quantitative', title: 'seconds into the measured phase' },
        y: { field: 'rps', type: 'quantitative', stack: 'zero', title: 'req/s' },
        color: { field: 'pod', type: 'nominal', legend: { columns: 2, symbolLimit: 50 } },
        tooltip: [{ field: 'pod' }, { field: 'tSec' }, { field: 'rps', format: ',.0f' }],
      },
    },
  })
}
