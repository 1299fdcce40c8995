/** The side-by-side comparison of variants printed at the end of a run. Pure: returns text. */
import { alignColumns } from '../util/text-table.ts'
import { udpLines } from './udp-table.ts'
import type { RunResult, VariantResult } from '../model/results.ts'

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const num = (x: number) => Math.round(x).toLocaleString('en-US')

/**
 * A latency percentile of `v`, in ms; one that lands on the request timeout (within the HDR
 * histogram's 0.1%) is censored there (timeouts and drops sit at it), so it reads `≥ 2000`.
 */
export function latencyText(v: Pick<VariantResult, 'load'>, x: number): string {
  const t = v.load?.requestTimeoutMs
  return t !== undefined && t > 0 && x >= t * (1 - 1e-3) ? `≥ ${ms(t)}` : ms(x)
}

/** Which load model ran and how: `closed, 50 conn`, `open 3,000/s`, `open 0→500→4,000/s poisson`. */
export function loadLabel(v: Pick<VariantResult, 'load'>): string {
  const l = v.load
  if (l === undefined) return 'closed'
  const ka = l.keepAlive ? '' : ', no keep-alive'
  if (l.model === 'closed') return `closed, ${num(l.connections)} conn${ka}`
  return `open ${l.ratesRps.map(num).join('→')}/s${l.arrival === 'poisson' ? ' poisson' : ''}${ka}`
}

/** Every variant's warnings, each prefixed with its variant's name when there are several (as the terminal prints them). */
export function variantWarnings(result: RunResult): string[] {
  const multi = result.variants.length > 1
  return result.variants.flatMap((v) => (v.warnings ?? []).map((w) => `${multi ? `variant "${v.name}": ` : ''}${w}`))
}

/** The comparison table: one column per variant. */
export function comparisonTable(result: RunResult): string {
  const vs = result.variants
  if (vs.length === 0) return '(no variant completed)'
  const rows: string[][] = []
  rows.push(['', ...vs.map((v) => v.name)])
  rows.push(['kube-proxy', ...vs.map((v) => `${kubeProxy(v)} ${v.balancing === 'connection' ? 'L4' : 'L7'}`)])
  rows.push(['policy', ...vs.map((v) => `${policyOf(v)}${v.sessionAffinity === 'ClientIP' ? '+affinity' : ''}`)])
  rows.push(['load', ...vs.map(loadLabel)])
  // Where the clients were: outside the cluster, or client pods on which nodes (and how much stayed there).
  const inCluster = vs.some((v) => v.clients?.from === 'cluster')
  if (inCluster) {
    rows.push(['clients', ...vs.map((v) => clientsCell(v))])
    rows.push(['same-node share', ...vs.map((v) => (v.clients?.sameNodeShare == null ? '-' : `${pct(v.clients.sameNodeShare)}${v.clients.hairpinDecisions > 0 ? ` (${num(v.clients.hairpinDecisions)} hairpin)` : ''}`))])
  }
  // Which load balancer ran, and what chose it (the file's annotations, the scenario, the default).
  if (vs.some((v) => v.loadBalancer != null)) rows.push(['load balancer', ...vs.map((v) => (v.loadBalancer == null ? '-' : `${v.loadBalancer.preset}${v.loadBalancer.presetSource === undefined ? '' : ` (${v.loadBalancer.presetSource})`}`))])
  rows.push(['req/s', ...vs.map((v) => num(v.requests.rps))])
  rows.push(['latency p50 ms', ...vs.map((v) => latencyText(v, v.latencyMs.p50))])
  rows.push(['latency p99 ms', ...vs.map((v) => latencyText(v, v.latencyMs.p99))])
  if (vs.some((v) => (v.requests.dropped ?? 0) > 0)) rows.push(['dropped', ...vs.map((v) => num(v.requests.dropped ?? 0))])
  rows.push(['errors', ...vs.map((v) => (v.errors.total === 0 ? '0' : `${num(v.errors.total)} (${pct(v.errors.rate)})`))])
  rows.push(['Jain index', ...vs.map((v) => v.fairness.jain.toFixed(3))])
  rows.push(['max/mean', ...vs.map((v) => v.fairness.maxOverMean.toFixed(2))])
  rows.push(['prediction', ...vs.map((v) => verdict(v))])
  const podNames = [...new Set(vs.flatMap((v) => v.pods.map((p) => p.name)))]
  for (const name of podNames) {
    const node = vs.flatMap((v) => v.pods).find((p) => p.name === name)?.node ?? ''
    rows.push([`  ${name} (${node})`, ...vs.map((v) => {
      const p = v.pods.find((x) => x.name === name)
      if (p === undefined) return '-'
      return `${pct(p.share)} ${num(p.requests)}${p.expectedShare === null ? '' : ` ~${pct(p.expectedShare)}`}${p.sameNodeShare == null ? '' : ` ⌂${pct(p.sameNodeShare)}`}`
    })])
  }
  rows.push(['clients on one pod', ...vs.map((v) => `${v.stickiness.clientsOnOnePod}/${v.stickiness.clients}`)])
  rows.push(['pods per client', ...vs.map((v) => v.stickiness.meanPodsPerClient.toFixed(2))])
  rows.push(['pods see (TCP source)', ...vs.map((v) => sourceSeen(v))])
  if (vs.some((v) => v.cpu != null)) rows.push(['CPU load gen / proxy max', ...vs.map((v) => cpuCell(v))])
  const saturation = vs
    .filter((v) => (v.cpu?.saturated.length ?? 0) > 0)
    .map((v) => `! ${v.name}: saturated during the measured phase (${v.cpu!.saturated.join(', ')} of one core): the figures may describe svcbench, not the Service`)
  const notes = vs
    .filter((v) => v.fairness.fitsPrediction === false)
    .map((v) => `! ${v.name}: the observed split of ${v.fairness.unit} differs from what the configuration predicts (χ² p ${fmtP(v.fairness.chiSquaredP)}); prediction: ${v.fairness.basis}`)
  const legend = `(per pod: share of requests, requests, ~ predicted share of balancing decisions${inCluster ? ', ⌂ share of its requests from client pods on its own node' : ''})`
  return [alignColumns(rows), legend, ...notes, ...saturation, ...failoverLines(vs), ...udpLines(vs)].join('\n')
}

const sec = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}s`)

/** One block per variant with faults: measured vs expected detection, errors, dip, recovery. */
function failoverLines(vs: VariantResult[]): string[] {
  const withFaults = vs.filter((v) => v.failover.length > 0)
  if (withFaults.length === 0) return []
  const rows: string[][] = [['', 'fault', 'at', 'detected after', 'expected', 'errors', 'first–last error', 'dip', 'recovered', 'p99 before/during/after ms']]
  for (const v of withFaults) {
    for (const f of v.failover) {
      const kinds = [...Object.entries(f.errors), ['dropped', f.requestsDropped ?? 0] as const]
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
      rows.push([
        v.name,
        [f.fault, f.pods.join(','), f.failed != null ? '(failed)' : ''].filter((x) => x !== '').join(' '),
        sec(f.atSec),
        sec(f.detectionSec),
        f.expectedDetectionSec === null ? 'never' : `${f.expectedDetectionSec.min.toFixed(2)}–${f.expectedDetectionSec.max.toFixed(2)}s`,
        f.requestsLost === 0 ? '0' : `${f.requestsLost} (${kinds})`,
        f.firstErrorSec === null ? '—' : `${sec(f.firstErrorSec)}–${sec(f.lastErrorSec)}`,
        f.throughputDipPct === null ? '—' : `${f.throughputDipPct}%`,
        sec(f.recoveredAtSec),
        [f.latencyMs.before.p99, f.latencyMs.during.p99, f.latencyMs.after.p99].map((x) => latencyText(v, x)).join(' / '),
      ])
    }
  }
  // A fault that did not happen as written says why (older results have no `failed`).
  const failed = withFaults.flatMap((v) => v.failover.filter((f) => f.failed != null).map((f) => `! ${v.name}: ${f.fault} ${f.target} at ${sec(f.atSec)} failed: ${f.failed}`))
  return ['', 'failover (times from the start of the measured phase; detected = the endpoint change applied on every node, or for kill-node behind a load balancer its health check marking the node down)', alignColumns(rows), ...failed]
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

function kubeProxy(v: VariantResult): string {
  const mode = v.proxyMode === 'ipvs' ? `ipvs/${v.ipvsScheduler ?? 'rr'}${v.ipvsFlags.length > 0 ? `(${v.ipvsFlags.join(',')})` : ''}` : v.proxyMode
  return v.alias === null ? mode : `${v.alias}=${mode}`
}

function fmtP(p: number | null): string {
  if (p === null) return 'n/a'
  return p < 0.001 ? '<0.001' : `=${p.toFixed(3)}`
}

function verdict(v: VariantResult): string {
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
