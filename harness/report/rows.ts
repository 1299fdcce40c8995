/**
 * The comparison's rows as data, one cell per variant, for the terminal's text table (table.ts)
 * and report.html's HTML tables (html/tables.ts) alike: a cell's text as the table prints it and,
 * for a figure, the number it sorts and aligns by. Pure.
 */
import { fmtP, latencyText, loadLabel, num, pct } from './format.ts'
import type { RunResult, VariantResult } from '../model/results.ts'
import type { FailoverResult } from '../model/variant-parts.ts'

/** One variant's cell: its text, and the figure behind it when it is one (numbers sort and right-align by it). */
export interface Cell {
  /** What the table shows. */
  text: string
  /** The figure, in the row's unit; absent for text. */
  sort?: number
}

/** A row of the comparison: a label and one cell per variant. */
export interface ComparisonRow {
  /** The label as the terminal's table prints it (units in it: `latency p99 ms`). */
  label: string
  /** The label in report.html, where the unit goes with each figure instead; else `label`. */
  htmlLabel?: string
  /** The figures' unit, written after each figure in report.html (`ms`, `req/s`); absent without one. */
  unit?: string
  cells: Cell[]
}

/** One pod's figures in one variant. */
export interface PodCell {
  /** Its share of the requests, a fraction. */
  share: number
  /** Requests it served (pod-side count). */
  requests: number
  /** The share of balancing decisions the configuration predicts; null without a prediction. */
  expectedShare: number | null
  /** In-cluster clients: the share of its requests from client pods on its own node; null otherwise. */
  sameNodeShare: number | null
}

/** A pod's row: its figures per variant (null where the variant had no such pod). */
export interface PodRow {
  /** The pod's name. */
  name: string
  /** The node it ran on. */
  node: string
  cells: (PodCell | null)[]
}

/** The comparison table's rows: the figures above the pods, the pods, the figures below. */
export interface ComparisonRows {
  /** The variants' names, one column each. */
  variants: string[]
  head: ComparisonRow[]
  pods: PodRow[]
  tail: ComparisonRow[]
  /** In-cluster clients ran in some variant (the pods' ⌂ share applies). */
  inCluster: boolean
}

const text = (t: string): Cell => ({ text: t })
const figure = (t: string, x: number): Cell => ({ text: t, sort: x })

/** The rows of the comparison table, one cell per variant. */
export function comparisonRows(result: RunResult): ComparisonRows {
  const vs = result.variants
  const head: ComparisonRow[] = []
  const row = (label: string, cells: Cell[], extra: Partial<ComparisonRow> = {}) => head.push({ label, cells, ...extra })
  row('kube-proxy', vs.map((v) => text(`${kubeProxy(v)} ${v.balancing === 'connection' ? 'L4' : 'L7'}`)))
  row('policy', vs.map((v) => text(`${policyOf(v)}${v.sessionAffinity === 'ClientIP' ? '+affinity' : ''}`)))
  row('load', vs.map((v) => text(loadLabel(v))))
  // Where the clients were: outside the cluster, or client pods on which nodes (and how much stayed there).
  const inCluster = vs.some((v) => v.clients?.from === 'cluster')
  if (inCluster) {
    row('clients', vs.map((v) => text(clientsCell(v))))
    row('same-node share', vs.map((v) => (v.clients?.sameNodeShare == null ? text('-') : figure(`${pct(v.clients.sameNodeShare)}${v.clients.hairpinDecisions > 0 ? ` (${num(v.clients.hairpinDecisions)} hairpin)` : ''}`, v.clients.sameNodeShare))))
  }
  // Which load balancer ran, and what chose it (the file's annotations, the scenario, the default).
  if (vs.some((v) => v.loadBalancer != null)) row('load balancer', vs.map((v) => text(v.loadBalancer == null ? '-' : `${v.loadBalancer.preset}${v.loadBalancer.presetSource === undefined ? '' : ` (${v.loadBalancer.presetSource})`}`)))
  row('req/s', vs.map((v) => figure(num(v.requests.rps), v.requests.rps)), { htmlLabel: 'throughput', unit: 'req/s' })
  row('latency p50 ms', vs.map((v) => figure(latencyText(v, v.latencyMs.p50), v.latencyMs.p50)), { htmlLabel: 'latency p50', unit: 'ms' })
  row('latency p99 ms', vs.map((v) => figure(latencyText(v, v.latencyMs.p99), v.latencyMs.p99)), { htmlLabel: 'latency p99', unit: 'ms' })
  if (vs.some((v) => (v.requests.dropped ?? 0) > 0)) row('dropped', vs.map((v) => figure(num(v.requests.dropped ?? 0), v.requests.dropped ?? 0)))
  row('errors', vs.map((v) => figure(v.errors.total === 0 ? '0' : `${num(v.errors.total)} (${pct(v.errors.rate)})`, v.errors.total)))
  row('Jain index', vs.map((v) => figure(v.fairness.jain.toFixed(3), v.fairness.jain)))
  row('max/mean', vs.map((v) => figure(v.fairness.maxOverMean.toFixed(2), v.fairness.maxOverMean)))
  row('prediction', vs.map((v) => text(predictionCell(v))))
  const tail: ComparisonRow[] = [
    { label: 'clients on one pod', cells: vs.map((v) => figure(`${v.stickiness.clientsOnOnePod}/${v.stickiness.clients}`, v.stickiness.clientsOnOnePod)) },
    { label: 'pods per client', cells: vs.map((v) => figure(v.stickiness.meanPodsPerClient.toFixed(2), v.stickiness.meanPodsPerClient)) },
    { label: vs.every((v) => v.udp != null) ? 'pods see (source)' : 'pods see (TCP source)', cells: vs.map((v) => text(sourceSeen(v))) },
  ]
  if (vs.some((v) => v.cpu != null)) tail.push({ label: 'CPU load gen / proxy max', cells: vs.map((v) => text(cpuCell(v))) })
  return { variants: vs.map((v) => v.name), head, pods: podRows(vs), tail, inCluster }
}

function podRows(vs: readonly VariantResult[]): PodRow[] {
  const names = [...new Set(vs.flatMap((v) => v.pods.map((p) => p.name)))]
  return names.map((name) => ({
    name,
    node: vs.flatMap((v) => v.pods).find((p) => p.name === name)?.node ?? '',
    cells: vs.map((v) => {
      const p = v.pods.find((x) => x.name === name)
      return p === undefined ? null : { share: p.share, requests: p.requests, expectedShare: p.expectedShare, sameNodeShare: p.sameNodeShare ?? null }
    }),
  }))
}

/** Where a fault's detection fell against the probe arithmetic's window. */
export type DetectionVerdict = 'inside' | 'early' | 'late' | 'never' | 'unexpected' | 'not expected'

/**
 * `inside` / `early` / `late` the expected window; `never`: expected, not detected; `unexpected`:
 * detected though the probes could not notice it; `not expected`: neither (fail-pod, a slow pod
 * under the probe's timeout).
 */
export function detectionVerdict(f: Pick<FailoverResult, 'detectionSec' | 'expectedDetectionSec'>): DetectionVerdict {
  const d = f.detectionSec
  const w = f.expectedDetectionSec
  if (w === null) return d === null ? 'not expected' : 'unexpected'
  if (d === null) return 'never'
  return d < w.min ? 'early' : d > w.max ? 'late' : 'inside'
}

/** The expected detection window as the tables print it: `2.50–4.50s`, or `never`. */
export function expectedWindowText(f: Pick<FailoverResult, 'expectedDetectionSec'>): string {
  const w = f.expectedDetectionSec
  return w === null ? 'never' : `${w.min.toFixed(2)}–${w.max.toFixed(2)}s`
}

/** A fault's lost requests by kind, drops included: `reset 3313, http-5xx 12`; empty when none. */
export function errorKindsText(f: Pick<FailoverResult, 'errors' | 'requestsDropped'>): string {
  return [...Object.entries(f.errors), ['dropped', f.requestsDropped ?? 0] as const]
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
}

/** A fault as the tables name it: `kill-pod pod-2`, `(failed)` when it did not happen as written. */
export function faultLabel(f: Pick<FailoverResult, 'fault' | 'pods' | 'failed'>): string {
  return [f.fault, f.pods.join(','), f.failed != null ? '(failed)' : ''].filter((x) => x !== '').join(' ')
}

/** One window's p99 around a fault, ms: `—` for a window with no response (its p99 is 0: an empty window, e.g. "after" a fault nothing ended), censored values as `≥ timeout`. */
export function windowP99Text(v: Pick<VariantResult, 'load'>, p99: number): string {
  return p99 === 0 ? '—' : latencyText(v, p99)
}

/** A fault's p99 before / during / after, ms (windowP99Text). */
export function phaseP99Text(v: Pick<VariantResult, 'load'>, f: Pick<FailoverResult, 'latencyMs'>): string {
  return [f.latencyMs.before.p99, f.latencyMs.during.p99, f.latencyMs.after.p99].map((x) => windowP99Text(v, x)).join(' / ')
}

/** The policy the clients' traffic was under: external for NodePort clients, internal for client pods at the ClusterIP. */
function policyOf(v: VariantResult): string {
  return v.clients?.from === 'cluster' ? `internal ${v.internalTrafficPolicy ?? 'Cluster'}` : v.externalTrafficPolicy
}

/** `external`, or the client pods per node (`cluster: node-a 3, node-b 3`; the Service's own pods when they are the clients). */
function clientsCell(v: VariantResult): string {
  const c = v.clients
  if (c === undefined || c.from === 'external') return 'external'
  const nodes = Object.entries(c.byNode).map(([n, k]) => `${n} ${k}`).join(', ')
  return `${c.clientPods === 'endpoints' ? 'the pods' : 'pods'}: ${nodes === '' ? 'none' : nodes}`
}

function cpuCell(v: VariantResult): string {
  if (v.cpu == null) return '-'
  const proxies = Object.values(v.cpu.proxies)
  return `${Math.round(v.cpu.loadGeneratorPct)}% / ${proxies.length === 0 ? '-' : `${Math.round(Math.max(...proxies))}%`}`
}

/** kube-proxy's mode as the table names it: `ipvs/sh(sh-port)`, `ip-hash=ipvs/sh` under an alias. */
export function kubeProxy(v: VariantResult): string {
  const mode = v.proxyMode === 'ipvs' ? `ipvs/${v.ipvsScheduler ?? 'rr'}${v.ipvsFlags.length > 0 ? `(${v.ipvsFlags.join(',')})` : ''}` : v.proxyMode
  return v.alias === null ? mode : `${v.alias}=${mode}`
}

function predictionCell(v: VariantResult): string {
  const f = v.fairness
  const n = f.decisions.reduce((a, b) => a + b, 0)
  // A client address is placed once per node it reaches: count placements, not addresses.
  const unit = f.unit === 'clients' ? 'client placements' : f.unit
  if (f.fitsPrediction === null) return `none (${n} ${unit})`
  return `${f.fitsPrediction ? 'fits' : 'DIFFERS'} p${fmtP(f.chiSquaredP)} (${n} ${unit})`
}

function sourceSeen(v: VariantResult): string {
  const s = v.sourceAddresses
  if (v.countedBy === 'proxies') return 'unknown (own server)'
  if (s.nodeAddressesSeen === 0) return `${s.clientAddressesSeen} clients`
  if (s.clientAddressesSeen === 0) return `${s.nodeAddressesSeen} nodes (SNAT)`
  return `${s.clientAddressesSeen} clients, ${s.nodeAddressesSeen} nodes`
}

/** A pod's cell as the terminal prints it: `31.2% 11,749 ~25.0% ⌂50.0%`. */
export function podCellText(p: PodCell | null): string {
  if (p === null) return '-'
  return `${pct(p.share)} ${num(p.requests)}${p.expectedShare === null ? '' : ` ~${pct(p.expectedShare)}`}${p.sameNodeShare == null ? '' : ` ⌂${pct(p.sameNodeShare)}`}`
}
