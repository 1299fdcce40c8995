/** The side-by-side comparison of variants printed at the end of a run. Pure: returns text. */
import { alignColumns } from '../util/text-table.ts'
import { udpLines } from './udp-table.ts'
import { fmtP, latencyText, loadLabel, num, sec } from './format.ts'
import { comparisonRows, errorKindsText, expectedWindowText, faultLabel, phaseP99Text, podCellText } from './rows.ts'
import type { RunResult, VariantResult } from '../model/results.ts'

// Where these lived before format.ts; importers keep importing them from here.
export { latencyText, loadLabel }

/** Every variant's warnings, each prefixed with its variant's name when there are several (as the terminal prints them). */
export function variantWarnings(result: RunResult): string[] {
  const multi = result.variants.length > 1
  return result.variants.flatMap((v) => (v.warnings ?? []).map((w) => `${multi ? `variant "${v.name}": ` : ''}${w}`))
}

/** The comparison table: one column per variant. */
export function comparisonTable(result: RunResult): string {
  const vs = result.variants
  if (vs.length === 0) return '(no variant completed)'
  const { head, pods, tail, inCluster } = comparisonRows(result)
  const rows: string[][] = [
    ['', ...vs.map((v) => v.name)],
    ...head.map((r) => [r.label, ...r.cells.map((c) => c.text)]),
    ...pods.map((p) => [`  ${p.name} (${p.node})`, ...p.cells.map(podCellText)]),
    ...tail.map((r) => [r.label, ...r.cells.map((c) => c.text)]),
  ]
  const saturation = vs
    .filter((v) => (v.cpu?.saturated.length ?? 0) > 0)
    .map((v) => `! ${v.name}: saturated during the measured phase (${v.cpu!.saturated.join(', ')} of one core): the figures may describe svcbench, not the Service`)
  const notes = vs
    .filter((v) => v.fairness.fitsPrediction === false)
    .map((v) => `! ${v.name}: the observed split of ${v.fairness.unit} differs from what the configuration predicts (χ² p ${fmtP(v.fairness.chiSquaredP)}); prediction: ${v.fairness.basis}`)
  const legend = `(per pod: share of requests, requests, ~ predicted share of balancing decisions${inCluster ? ', ⌂ share of its requests from client pods on its own node' : ''})`
  return [alignColumns(rows), legend, ...notes, ...saturation, ...failoverLines(vs), ...udpLines(vs)].join('\n')
}

/** One block per variant with faults: measured vs expected detection, errors, dip, recovery. */
function failoverLines(vs: VariantResult[]): string[] {
  const withFaults = vs.filter((v) => v.failover.length > 0)
  if (withFaults.length === 0) return []
  const rows: string[][] = [['', 'fault', 'at', 'detected after', 'expected', 'errors', 'first–last error', 'dip', 'recovered', 'p99 before/during/after ms']]
  for (const v of withFaults) {
    for (const f of v.failover) {
      rows.push([
        v.name,
        faultLabel(f),
        sec(f.atSec),
        sec(f.detectionSec),
        expectedWindowText(f),
        f.requestsLost === 0 ? '0' : `${f.requestsLost} (${errorKindsText(f)})`,
        f.firstErrorSec === null ? '—' : `${sec(f.firstErrorSec)}–${sec(f.lastErrorSec)}`,
        f.throughputDipPct === null ? '—' : `${f.throughputDipPct}%`,
        sec(f.recoveredAtSec),
        phaseP99Text(v, f),
      ])
    }
  }
  // A fault that did not happen as written says why (older results have no `failed`).
  const failed = withFaults.flatMap((v) => v.failover.filter((f) => f.failed != null).map((f) => `! ${v.name}: ${f.fault} ${f.target} at ${sec(f.atSec)} failed: ${f.failed}`))
  return ['', 'failover (times from the start of the measured phase; detected = the endpoint change applied on every node, or for kill-node behind a load balancer its health check marking the node down)', alignColumns(rows), ...failed]
}

