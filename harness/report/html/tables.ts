/**
 * report.html's tables: the comparison (variants as columns, the terminal table's rows, each pod's
 * share, requests and predicted share in cells of their own), the failover table (a row per fault
 * per variant) and the UDP tables. Figures are right-aligned with their units and sort by their
 * value (page.ts). Pure.
 */
import { cell, escapeHtml, sortableHead } from './escape.ts'
import { num, pct, sec } from '../format.ts'
import { comparisonRows, detectionVerdict, errorKindsText, expectedWindowText, faultLabel, windowP99Text, type ComparisonRow, type PodCell } from '../rows.ts'
import type { RunResult, VariantResult } from '../../model/results.ts'

const wrap = (table: string) => `<div class="table-wrap">${table}</div>`

/** The comparison table, one column group per variant; '' without variants. */
export function comparisonHtml(result: RunResult): string {
  if (result.variants.length === 0) return '<p>(no variant completed)</p>'
  const { variants, head, pods, tail, inCluster } = comparisonRows(result)
  const sub = ['share', 'requests', 'predicted', ...(inCluster ? ['same node'] : [])]
  const span = sub.length
  const row = (r: ComparisonRow) => {
    const unit = r.unit === undefined ? '' : ` ${r.unit}`
    const tds = r.cells.map((c) => cell(c.sort === undefined ? c.text : `${c.text}${unit}`, c.sort, `colspan="${span}"`)).join('')
    return `<tr><th scope="row">${escapeHtml(r.htmlLabel ?? r.label)}</th>${tds}</tr>`
  }
  const podCells = (p: PodCell | null) => {
    if (p === null) return sub.map(() => '<td>-</td>').join('')
    const cells = [cell(pct(p.share), p.share), cell(num(p.requests), p.requests), p.expectedShare === null ? cell('—') : cell(pct(p.expectedShare), p.expectedShare)]
    if (inCluster) cells.push(p.sameNodeShare === null ? cell('—') : cell(pct(p.sameNodeShare), p.sameNodeShare))
    return cells.join('')
  }
  const podHead = sortableHead(['pod (node)', ...variants.flatMap(() => sub)], (i) => i > 0, 'row')
  const podRows = pods.map((p) => `<tr><th scope="row">${escapeHtml(p.name)} <span class="node">(${escapeHtml(p.node)})</span></th>${p.cells.map(podCells).join('')}</tr>`)
  const legend = `per pod: share of requests, requests served, the predicted share of balancing decisions${inCluster ? ', the share of its requests from client pods on its own node' : ''}; click a pod header to sort`
  return wrap(`<table class="comparison">
<thead><tr><th></th>${variants.map((n) => `<th scope="col" colspan="${span}">${escapeHtml(n)}</th>`).join('')}</tr></thead>
<tbody>${head.map(row).join('\n')}</tbody>
<tbody class="pods">${podHead}
${podRows.join('\n')}</tbody>
<tbody>${tail.map(row).join('\n')}</tbody>
<caption>${escapeHtml(legend)}</caption>
</table>`)
}

const DETECTION_TEXT = { inside: 'inside', early: 'early', late: 'late', never: 'never', unexpected: 'unexpected', 'not expected': 'not expected' } as const

/** One row per fault per variant; '' when no variant had a fault. */
export function failoverHtml(vs: readonly VariantResult[]): string {
  const rows = vs.flatMap((v) =>
    v.failover.map((f) => {
      const cells = [
        cell(v.name),
        cell(faultLabel(f)),
        cell(sec(f.atSec), f.atSec),
        cell(sec(f.detectionSec), f.detectionSec),
        cell(expectedWindowText(f)),
        cell(DETECTION_TEXT[detectionVerdict(f)], undefined, ['late', 'never', 'unexpected', 'early'].includes(detectionVerdict(f)) ? 'class="fail"' : ''),
        cell(num(f.requestsLost), f.requestsLost),
        cell(errorKindsText(f) || '—'),
        cell(f.firstErrorSec === null ? '—' : `${sec(f.firstErrorSec)}–${sec(f.lastErrorSec)}`),
        cell(f.throughputDipPct === null ? '—' : `${f.throughputDipPct}%`, f.throughputDipPct),
        cell(f.recoveredAtSec === null ? '—' : sec(f.recoveredAtSec - f.atSec), f.recoveredAtSec === null ? null : f.recoveredAtSec - f.atSec),
        ...[f.latencyMs.before.p99, f.latencyMs.during.p99, f.latencyMs.after.p99].map((x) => (x === 0 ? cell('—') : cell(`${windowP99Text(v, x)} ms`, x))),
      ]
      return `<tr>${cells.join('')}</tr>`
    }),
  )
  if (rows.length === 0) return ''
  const head = ['variant', 'fault', 'at', 'detected after', 'expected', 'detection', 'requests lost', 'by kind', 'first–last error', 'dip', 'recovered after', 'p99 before', 'p99 during', 'p99 after']
  const numeric = new Set([2, 3, 6, 9, 10, 11, 12, 13])
  return wrap(`<table class="failover sortable">${sortableHead(head, (i) => numeric.has(i))}
<tbody>${rows.join('\n')}</tbody>
<caption>times in seconds from the start of the measured phase (detected and recovered: after the fault); detected = the endpoint change applied on every node, or for kill-node behind a load balancer its health check marking the node down; recovered = 2 s at ≥ 90% of the throughput before</caption>
</table>`)
}

/** The UDP tables (flows per variant and per pod, what each fault cost the pinned flows); '' without UDP. */
export function udpHtml(vs: readonly VariantResult[]): string {
  const udp = vs.filter((v) => v.udp != null)
  if (udp.length === 0) return ''
  const flows = udp.map((v) => {
    const u = v.udp!
    const lost = u.clients.reduce((a, c) => a + c.lost, 0)
    return `<tr>${[cell(v.name), cell(u.sourcePort), cell(num(u.flows), u.flows), cell(`${u.clientsOnOnePod}/${u.clients.length}`, u.clientsOnOnePod), cell(num(lost), lost)].join('')}</tr>`
  })
  const pods = udp.flatMap((v) => v.udp!.pods.map((p) => `<tr>${[cell(v.name), cell(p.name), cell(num(p.queriesAnswered), p.queriesAnswered), cell(num(p.flows), p.flows)].join('')}</tr>`))
  const faults = udp.flatMap((v) =>
    v.failover.flatMap((f) => {
      const u = f.udp
      if (u == null) return []
      const cells = [cell(v.name), cell(`${f.fault} ${f.pods.join(',')}`), cell(num(u.flowsOnDeadEndpoint), u.flowsOnDeadEndpoint), cell(num(u.flowsStuck), u.flowsStuck), cell(num(u.queriesLost), u.queriesLost), cell(sec(u.lastLostSec), u.lastLostSec), cell(num(u.flowsMoved), u.flowsMoved), cell(sec(u.lastMovedAtSec), u.lastMovedAtSec), cell(num(u.flowsBackOnSamePod), u.flowsBackOnSamePod), cell(num(u.flowsNeverAnswered), u.flowsNeverAnswered)]
      return [`<tr>${cells.join('')}</tr>`]
    }),
  )
  const out = [
    wrap(`<table class="udp sortable">${sortableHead(['variant', 'source ports', 'flows', 'clients on one pod', 'queries lost'], (i) => i >= 2)}<tbody>${flows.join('')}</tbody><caption>a flow is one conntrack entry: one pick (results.udp)</caption></table>`),
    wrap(`<table class="udp-pods sortable">${sortableHead(['variant', 'pod', 'queries answered', 'flows'], (i) => i >= 2)}<tbody>${pods.join('')}</tbody></table>`),
  ]
  if (faults.length > 0) {
    const head = ['variant', 'fault', 'flows on dead pod', 'stuck', 'queries lost', 'blackhole ended', 'moved', 'last moved at', 'back on same pod', 'never answered']
    out.push(wrap(`<table class="udp-faults sortable">${sortableHead(head, (i) => i >= 2)}<tbody>${faults.join('')}</tbody><caption>UDP flows pinned to a faulted pod (fixed source ports; failover[i].udp)</caption></table>`))
  }
  return out.join('\n')
}
