/** The side-by-side comparison of variants printed at the end of a run. Pure: returns text. */
import type { RunResult } from '../runner.ts'

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const num = (x: number) => Math.round(x).toLocaleString('en-US')

/** Render rows as aligned columns (first column left, the rest right-aligned). */
export function alignColumns(rows: string[][]): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n')
}

/** The comparison table: one column per variant. */
export function comparisonTable(result: RunResult): string {
  const vs = result.variants
  if (vs.length === 0) return '(no variant completed)'
  const rows: string[][] = []
  rows.push(['', ...vs.map((v) => v.name)])
  rows.push(['balancer', ...vs.map((v) => `${v.balancer}/${v.balancing === 'connection' ? 'L4' : 'L7'}`)])
  rows.push(['req/s', ...vs.map((v) => num(v.requests.rps))])
  rows.push(['latency p50 ms', ...vs.map((v) => ms(v.latencyMs.p50))])
  rows.push(['latency p99 ms', ...vs.map((v) => ms(v.latencyMs.p99))])
  rows.push(['errors', ...vs.map((v) => (v.errors.total === 0 ? '0' : `${num(v.errors.total)} (${pct(v.errors.rate)})`))])
  rows.push(['Jain index', ...vs.map((v) => v.fairness.jain.toFixed(3))])
  rows.push(['max/mean', ...vs.map((v) => v.fairness.maxOverMean.toFixed(2))])
  rows.push(['chi² p vs expected', ...vs.map((v) => (v.fairness.chiSquaredP < 0.001 ? '<0.001' : v.fairness.chiSquaredP.toFixed(3)))])
  const podNames = [...new Set(vs.flatMap((v) => v.pods.map((p) => p.name)))]
  for (const name of podNames) {
    const node = vs.flatMap((v) => v.pods).find((p) => p.name === name)?.node ?? ''
    rows.push([`  ${name} (${node})`, ...vs.map((v) => {
      const p = v.pods.find((x) => x.name === name)
      return p === undefined ? '-' : `${pct(p.share)} ${num(p.requests)}`
    })])
  }
  rows.push(['clients on one pod', ...vs.map((v) => `${v.stickiness.clientsOnOnePod}/${v.stickiness.clients}`)])
  rows.push(['pods per client', ...vs.map((v) => v.stickiness.meanPodsPerClient.toFixed(2))])
  rows.push(['client addresses seen', ...vs.map((v) => `${v.clientAddresses.seenByPods}/${v.clientAddresses.configured}`)])
  return alignColumns(rows)
}
