import { INK, SCHEMA, runSeconds, type ChartBuilder } from './common.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'
import { timeAxis, variantFaultWindows } from './time.ts'

/** Phases of a fault's row, top down: the shaded fault window first. */
const PHASES = ['fault window', 'until detected', 'until recovered', 'expected detection', 'errors'] as const

/** Per fault: its window, fault → detection → recovery spans, the expected detection window and the errors. */
export const failoverTimeline: ChartBuilder = (result) => {
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    const windows = variantFaultWindows(v)
    for (const f of v.failover) {
      const row = `${v.name}: ${f.fault} ${f.pods.join(',')}`
      const end = v.durationSec
      const span = (phase: string, start: number, stop: number, note = '') => rows.push({ row, phase, start, end: stop, note })
      const w = windows.find((x) => x.startSec === f.atSec && x.label.startsWith(f.fault))
      if (w !== undefined) span('fault window', w.startSec, w.endSec, `ends at ${w.endsAt}`)
      span('until detected', f.atSec, f.detectedAtSec ?? end)
      if (f.detectedAtSec !== null) span('until recovered', f.detectedAtSec, Math.max(f.detectedAtSec, f.recoveredAtSec ?? end))
      if (f.expectedDetectionSec !== null) span('expected detection', f.atSec + f.expectedDetectionSec.min, f.atSec + f.expectedDetectionSec.max + 0.02)
      if (f.firstErrorSec !== null && f.lastErrorSec !== null) span('errors', f.firstErrorSec, Math.max(f.lastErrorSec, f.firstErrorSec + 0.02))
    }
  }
  if (rows.length === 0) return undefined
  const seconds = runSeconds(result)
  const spec = {
    $schema: SCHEMA,
    title: {
      text: 'Failover timeline',
      subtitle: [
        'from the fault to detection (endpoint removed / node marked down) to recovery (successful req/s back to ≥ 90% of before for 2 s)',
        'fault window: from the fault to the last of detection, recovery and its last error',
      ],
    },
    data: { values: rows },
    width: FIXED_WIDTH_PX,
    // One band per phase: a fault's row is as tall as its phases.
    height: { step: 11, for: 'offset' },
    mark: { type: 'bar', height: { band: 0.75 }, clip: true },
    encoding: {
      y: { field: 'row', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.row))] },
      yOffset: { field: 'phase', type: 'nominal', sort: [...PHASES] },
      x: { field: 'start', type: 'quantitative', ...timeAxis(seconds), scale: { domain: [0, seconds], nice: false } },
      x2: { field: 'end' },
      color: { field: 'phase', type: 'nominal', sort: [...PHASES], scale: { domain: [...PHASES], range: [INK.faultFill, INK.vermillion, INK.orange, INK.grey, INK.black] } },
      tooltip: [
        { field: 'row', title: 'fault' },
        { field: 'phase', title: 'phase' },
        { field: 'start', title: 'from (s)', format: '.2f' },
        { field: 'end', title: 'to (s)', format: '.2f' },
        { field: 'note', title: 'note' },
      ],
    },
  }
  return { name: 'failover-timeline', title: 'Failover timeline', spec: fillWidth(spec as never) }
}
