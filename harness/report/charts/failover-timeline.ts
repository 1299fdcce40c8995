import { SCHEMA, type ChartBuilder } from './common.ts'

/** Per fault: fault → detection → recovery spans, with the expected detection window. */
export const failoverTimeline: ChartBuilder = (result) => {
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    for (const f of v.failover) {
      const row = `${v.name}: ${f.fault} ${f.pods.join(',')}`
      const end = v.durationSec
      rows.push({ row, phase: 'until detected', start: f.atSec, end: f.detectedAtSec ?? end })
      if (f.detectedAtSec !== null) rows.push({ row, phase: 'until recovered', start: f.detectedAtSec, end: Math.max(f.detectedAtSec, f.recoveredAtSec ?? end) })
      if (f.expectedDetectionSec !== null) rows.push({ row, phase: 'expected detection', start: f.atSec + f.expectedDetectionSec.min, end: f.atSec + f.expectedDetectionSec.max + 0.02 })
      if (f.firstErrorSec !== null && f.lastErrorSec !== null) rows.push({ row, phase: 'errors', start: f.firstErrorSec, end: Math.max(f.lastErrorSec, f.firstErrorSec + 0.02) })
    }
  }
  if (rows.length === 0) return undefined
  return {
    name: 'failover-timeline',
    title: 'Failover timeline',
    spec: {
      $schema: SCHEMA,
      title: { text: 'Failover timeline', subtitle: 'from the fault to detection (endpoint removed / node marked down) to recovery (successful req/s back to ≥ 90% of before for 2 s)' },
      data: { values: rows },
      width: 640,
      height: { step: 22 },
      mark: { type: 'bar', height: { band: 0.7 } },
      encoding: {
        y: { field: 'row', type: 'nominal', title: null },
        yOffset: { field: 'phase', type: 'nominal', sort: ['until detected', 'until recovered', 'expected detection', 'errors'] },
        x: { field: 'start', type: 'quantitative', title: 'seconds into the measured phase' },
        x2: { field: 'end' },
        color: { field: 'phase', type: 'nominal', sort: ['until detected', 'until recovered', 'expected detection', 'errors'], scale: { range: ['#e45756', '#f58518', '#bab0ac', '#222222'] } },
        tooltip: [{ field: 'row' }, { field: 'phase' }, { field: 'start', format: '.2f' }, { field: 'end', format: '.2f' }],
      },
    },
  }
}
