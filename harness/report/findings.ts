/**
 * The findings that open every report (report.html, summary.md, the terminal): per variant a few
 * sentences with the figures that matter for it, and across variants how each compares with the
 * first. Every sentence is read off the results; a claim the results do not hold (a fit without a
 * prediction, a difference within the noise: see kpi.ts) is not made. Pure.
 */
import { CLIENT_HASHING } from '../balancers/registry.ts'
import { failures } from '../gate/output.ts'
import { MAX_SCHEDULE_LAG_P99_MS } from '../stats/load-summary.ts'
import { fmtP, isCensored, latencyText, loadLabel, ms, num, pct, sec } from './format.ts'
import { kpiDelta, requestsLost } from './kpi.ts'
import { detectionVerdict, expectedWindowText, faultLabel, kubeProxy } from './rows.ts'
import type { RunResult, VariantResult } from '../model/results.ts'
import type { FailoverResult } from '../model/variant-parts.ts'
import type { AlgorithmName } from '../model/kube-proxy.ts'

/** What a finding is about. */
export type FindingTopic = 'run' | 'load' | 'errors' | 'fairness' | 'stickiness' | 'udp' | 'fault' | 'saturation' | 'comparison' | 'gate'

/** One sentence of the findings. */
export interface Finding {
  /** The variant it is about; null for the run as a whole and for comparisons across variants. */
  variant: string | null
  /** `warn`: the reader must not miss it (a figure that may not describe the Service, a split that differs, a late detection). */
  severity: 'info' | 'warn'
  topic: FindingTopic
  /** The sentence, with its figures and their units. */
  text: string
}

/** A relative change as a sentence says it: `23%` from 10% up, else one decimal (`1.4%`). */
const relPct = (x: number) => `${Math.abs(x) >= 0.1 ? Math.round(Math.abs(x) * 100) : (Math.abs(x) * 100).toFixed(1)}%`
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`

/** Every finding of a run: the run's own first (interrupted, aborted), then each variant's, the comparisons, the gate. */
export function findings(result: RunResult): Finding[] {
  const out: Finding[] = [...runFindings(result)]
  for (const v of result.variants) out.push(...variantFindings(v))
  const [first, ...rest] = result.variants
  if (first !== undefined) for (const v of rest) out.push(comparison(first, v))
  out.push(...gateFindings(result))
  return out
}

function runFindings(r: RunResult): Finding[] {
  const out: Finding[] = []
  const run = (text: string): Finding => ({ variant: null, severity: 'warn', topic: 'run', text })
  if (r.interrupted) out.push(run('Interrupted: the run was stopped before it finished (SIGINT/SIGTERM); the figures cover what was measured until then.'))
  const a = r.aborted
  if (a != null) out.push(run(`Aborted: ${a.variant}'s threshold ${a.path} ${a.condition} broke at ${sec(a.atSec)} of its measured phase (measured ${a.path === 'errors.rate' ? pct(a.measured) : num(a.measured)}); the figures cover what was measured until then.`))
  if (r.variants.length === 0) out.push(run('No variant completed: there are no figures.'))
  return out
}

/** Every finding of one variant: its load, errors, split, stickiness, UDP flows, faults and saturation. */
export function variantFindings(v: VariantResult): Finding[] {
  const out: Finding[] = []
  const say = (topic: FindingTopic, text: string, warn = false) => out.push({ variant: v.name, severity: warn ? 'warn' : 'info', topic, text })
  if (v.interrupted) say('run', `Stopped before its duration: the figures cover the ${v.durationSec.toFixed(1)} s measured.`, true)
  say('load', loadSentence(v))
  const e = v.errors
  if (e.total === 0) say('errors', 'No errors.')
  // Errors with no fault to explain them are the reader's first concern.
  else say('errors', `${plural(e.total, 'error')} (${pct(e.rate)} of requests): ${kindsText(e.byKind)}.`, v.failover.length === 0)
  // One pod has no split to judge.
  if (v.pods.length >= 2) say('fairness', fairnessSentence(v), v.fairness.fitsPrediction === false)
  if (isSticky(v)) say('stickiness', stickinessSentence(v))
  if (v.udp != null) say('udp', udpSentence(v))
  for (const f of v.failover) {
    const { text, warn } = faultSentence(v, f)
    say('fault', text, warn)
  }
  for (const s of saturationSentences(v)) say('saturation', s, true)
  return out
}

function loadSentence(v: VariantResult): string {
  const dataplane = v.dataplane === 'kernel' ? `kernel dataplane (kube-proxy's own ${v.proxyMode} rules), ` : ''
  const who = `${dataplane}${kubeProxy(v)} ${v.balancing === 'connection' ? 'L4' : 'L7'}, ${loadLabel(v)}`
  const p50 = `${latencyText(v, v.latencyMs.p50)} ms`
  const p99 = `${latencyText(v, v.latencyMs.p99)} ms${isCensored(v, v.latencyMs.p99) ? ' (at the request timeout: censored)' : ''}`
  const open = v.load?.model === 'open'
  const latency = `latency p50 ${p50}, p99 ${p99}, from each request's ${open ? 'intended start' : 'write'}`
  if (!open) return `${who}: ${num(v.requests.rps)} req/s; ${latency}.`
  const offered = v.load!.ratesRps.length === 1 ? `${num(v.load!.ratesRps[0]!)} req/s offered` : `${v.load!.ratesRps.map(num).join('→')} req/s offered`
  const scheduled = v.requests.scheduled === undefined ? '' : ` of ${plural(v.requests.scheduled, 'request')} scheduled`
  const dropped = v.requests.dropped ?? 0
  return `${who}: ${offered}, ${num(v.requests.rps)} req/s answered${scheduled}, ${dropped === 0 ? 'none' : num(dropped)} dropped; ${latency}.`
}

function kindsText(byKind: Record<string, number>): string {
  return Object.entries(byKind).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${num(n)}`).join(', ')
}

function fairnessSentence(v: VariantResult): string {
  const f = v.fairness
  const jain = `Jain ${f.jain.toFixed(3)} over ${plural(v.pods.length, 'pod')} (busiest ${f.maxOverMean.toFixed(2)}× the mean)`
  if (f.fitsPrediction === null) return `${jain}; not tested against a prediction (${f.basis}).`
  const p = `χ² p${fmtP(f.chiSquaredP)}`
  if (f.fitsPrediction) return `${jain}; the split of ${f.unit} fits the prediction (${p}; ${f.basis}).`
  return `${jain}; the split of ${f.unit} DIFFERS from the prediction (${p}; ${f.basis}).`
}

/** Hashing schedulers, ClientIP affinity and UDP with fixed source ports keep a client on a pod: stickiness is their figure. */
function isSticky(v: VariantResult): boolean {
  return v.sessionAffinity === 'ClientIP' || CLIENT_HASHING.has(v.balancer as AlgorithmName) || v.fairness.unit === 'clients'
}

function stickinessSentence(v: VariantResult): string {
  const s = v.stickiness
  const why = v.sessionAffinity === 'ClientIP' ? 'ClientIP affinity' : `hashing (${v.balancer})`
  return `${why}: ${num(s.clientsOnOnePod)} of ${plural(s.clients, 'client address', 'client addresses')} stayed on one pod (${s.meanPodsPerClient.toFixed(2)} pods per client on average, at most ${s.maxPodsPerClient}).`
}

function udpSentence(v: VariantResult): string {
  const u = v.udp!
  const lost = u.sourcePort === 'fixed' ? `; ${plural(u.clients.reduce((a, c) => a + c.lost, 0), 'query', 'queries')} lost` : ''
  return `UDP, ${u.sourcePort === 'fixed' ? 'fixed source ports' : 'a source port per query'}: ${plural(u.flows, 'flow')}; ${num(u.clientsOnOnePod)} of ${plural(u.clients.length, 'client')} answered by one pod${lost}.`
}

function detectionText(f: FailoverResult): { text: string; warn: boolean } {
  const window = `expected ${expectedWindowText(f)}`
  switch (detectionVerdict(f)) {
    case 'inside':
      return { text: `detected after ${sec(f.detectionSec)}, inside the ${window}`, warn: false }
    case 'early':
      return { text: `detected after ${sec(f.detectionSec)}, earlier than the ${window}`, warn: true }
    case 'late':
      return { text: `detected after ${sec(f.detectionSec)}, later than the ${window}`, warn: true }
    case 'never':
      return { text: `never detected (${window})`, warn: true }
    case 'unexpected':
      return { text: `detected after ${sec(f.detectionSec)}, though the probes were not expected to notice it`, warn: true }
    case 'not expected':
      return { text: 'not detected, as expected (the probes cannot notice it)', warn: false }
  }
}

function faultSentence(v: VariantResult, f: FailoverResult): { text: string; warn: boolean } {
  const parts: string[] = []
  const kinds = kindsText({ ...f.errors, dropped: f.requestsDropped ?? 0 })
  parts.push(f.requestsLost === 0 ? 'no requests lost' : `${plural(f.requestsLost, 'request')} lost${kinds === '' ? '' : ` (${kinds})`}`)
  const d = detectionText(f)
  parts.push(d.text)
  if (f.recoveredAtSec !== null) parts.push(`throughput back to 90% of before ${sec(Math.max(0, f.recoveredAtSec - f.atSec))} after it${f.throughputDipPct === null ? '' : ` (dip ${f.throughputDipPct}%)`}`)
  else if (f.throughputDipPct !== null && f.throughputDipPct >= 10) parts.push(`throughput not back to 90% of before within its window (dip ${f.throughputDipPct}%)`)
  if (f.clientsRemapped != null) parts.push(`${pct(f.clientsRemapped)} of clients moved to another pod`)
  if (f.udp != null) {
    const u = f.udp
    parts.push(`${num(u.flowsStuck)} of ${plural(u.flowsOnDeadEndpoint, 'UDP flow')} on it stuck, ${plural(u.queriesLost, 'query', 'queries')} lost, ${num(u.flowsMoved)} moved${u.flowsNeverAnswered > 0 ? `, ${num(u.flowsNeverAnswered)} never answered again` : ''}`)
  }
  let warn = d.warn
  if (f.clientsBlocked === true) {
    const clients = v.load === undefined ? 'closed-model clients' : `${plural(v.load.connections, 'closed-model client')}`
    parts.push(`the ${clients} were blocked, so these figures describe blocked clients, not a stream of requests`)
    warn = true
  }
  if (f.failed != null) {
    parts.push(`it did not happen as written: ${f.failed}`)
    warn = true
  }
  return { text: `${faultLabel(f)} at ${sec(f.atSec)}: ${parts.join('; ')}.`, warn }
}

function saturationSentences(v: VariantResult): string[] {
  const out: string[] = []
  const sat = v.cpu?.saturated ?? []
  if (sat.length > 0) out.push(`Saturated during the measured phase (${sat.join(', ')} of one core): the figures may describe svcbench, not the Service.`)
  const lag = v.load?.scheduleLagMs
  if (lag != null && lag.p99 > MAX_SCHEDULE_LAG_P99_MS) out.push(`The load generator fell behind its schedule (lag p99 ${ms(lag.p99)} ms, over ${MAX_SCHEDULE_LAG_P99_MS} ms): the latencies include its own delay.`)
  return out
}

/** Throughput against the first variant: `14% more throughput than a`, or within its noise. */
function throughputPhrase(first: VariantResult, v: VariantResult): string | null {
  const d = kpiDelta('rps', first, v)
  if (d === null) return null
  const figures = `${num(v.requests.rps)} vs ${num(first.requests.rps)} req/s`
  if (d.direction === 'same') return `throughput within noise of ${first.name} (${d.text}${d.basis === 'trials' ? ', the trials overlap' : ''}; ${figures})`
  return `${relPct(d.change)} ${d.change > 0 ? 'more' : 'less'} throughput than ${first.name} (${figures})`
}

/** p99 against the first variant, with the change or why it is none. */
function p99Phrase(first: VariantResult, v: VariantResult): string | null {
  const d = kpiDelta('p99', first, v)
  if (d === null) return null
  // A p99 at the request timeout is only a lower bound: no percentage of it means anything.
  const oneCensored = isCensored(v, v.latencyMs.p99) !== isCensored(first, first.latencyMs.p99)
  const why = d.basis === 'censored' ? 'both at the request timeout' : oneCensored ? `${isCensored(v, v.latencyMs.p99) ? v.name : first.name}'s at the request timeout` : d.direction === 'same' ? `within noise, ${d.text}` : d.text
  return `p99 ${latencyText(v, v.latencyMs.p99)} vs ${latencyText(first, first.latencyMs.p99)} ms (${why})`
}

function predictionPhrase(first: VariantResult, v: VariantResult): string | null {
  const a = first.fairness.fitsPrediction
  const b = v.fairness.fitsPrediction
  if (a === null && b === null) return null
  if (a === true && b === true) return 'both fit their predictions'
  if (a === false && b === false) return 'both differ from their predictions'
  const state = (x: boolean | null) => (x === null ? 'has no prediction' : x ? 'fits its prediction' : 'DIFFERS from its prediction')
  return `${v.name} ${state(b)}, ${first.name} ${state(a)}`
}

/** `v` against the first variant: throughput, p99, Jain, errors and losses; differences within the noise say so. */
export function comparison(first: VariantResult, v: VariantResult): Finding {
  const parts = [
    throughputPhrase(first, v),
    p99Phrase(first, v),
    `Jain ${v.fairness.jain.toFixed(3)} vs ${first.fairness.jain.toFixed(3)}${kpiDelta('jain', first, v)?.direction === 'same' ? ' (within noise)' : ''}`,
    v.errors.total + first.errors.total === 0 ? null : `errors ${pct(v.errors.rate)} vs ${pct(first.errors.rate)}`,
    v.failover.length + first.failover.length === 0 ? null : `${num(requestsLost(v) ?? 0)} vs ${num(requestsLost(first) ?? 0)} requests lost to faults`,
  ].filter((x): x is string => x !== null)
  const fit = predictionPhrase(first, v)
  const model = (x: VariantResult) => x.load?.model ?? 'closed'
  if (model(first) !== model(v)) parts.push(`though the load models differ (${model(v)} vs ${model(first)}), so throughput and latency measure different things`)
  return { variant: null, severity: 'info', topic: 'comparison', text: `${v.name}: ${parts.join(', ')}${fit === null ? '' : `; ${fit}`}.` }
}

function gateFindings(r: RunResult): Finding[] {
  const g = r.gate
  if (g === undefined || g.verdict === 'none') return []
  const checks = g.thresholds.length + g.comparisons.length
  const fails = failures(g)
  const text = g.verdict === 'pass' ? `Gate: PASS (${plural(checks, 'check')}, none failed).` : `Gate: FAIL (${fails.length} of ${plural(checks + (g.aborted === null ? 0 : 1), 'check')} failed): ${fails.join('; ')}.`
  return [{ variant: null, severity: g.verdict === 'fail' ? 'warn' : 'info', topic: 'gate', text }]
}

/** The findings as plain lines for the terminal: `iptables: …`, warnings marked `!`. */
export function findingLines(fs: readonly Finding[]): string[] {
  return fs.map((f) => `${f.severity === 'warn' ? '! ' : '  '}${f.variant === null ? '' : `${f.variant}: `}${f.text}`)
}
