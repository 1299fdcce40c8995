/**
 * The cross-check of `svcbench verify`: one variant's results on the proxy dataplane (svcbench's
 * simulator) against the same variant on the kernel dataplane (kube-proxy's own rules), figure by
 * figure, each with a verdict and the test or tolerance that decided it. Pure.
 *
 * - Counts over categories (decisions per pod, clients on one pod or not, clients by how many
 *   pods they reached) are two samples of a distribution: χ² test of homogeneity, agreeing at
 *   p ≥ VERIFY_ALPHA (homogeneity.ts); a 2×2 table too small for χ² takes Fisher's exact test;
 *   any other table too small for χ² is not compared (Cochran's rule), rather than passed.
 * - What the pods saw as source addresses is deterministic: it must be equal.
 * - Errors per fault window and detection times: cross-check-errors.ts.
 * - A UDP Service's own figures (what the clients observed, what each fault cost the flows pinned
 *   to the dead endpoint): cross-check-udp.ts; the figures above then speak of flows and of the
 *   queries' source addresses.
 */
import { testedFigure, type TwoSampleOptions } from './two-sample.ts'
import { compareErrorWindows, DETECTION_SLACK_SEC, ERROR_SHARE_FACTOR, type ErrorWindowOptions } from './cross-check-errors.ts'
import { compareUdp, type UdpCrossCheckOptions } from './cross-check-udp.ts'
import type { RunResult, VariantResult } from '../model/results.ts'
import type { VerifyFigure, VerifyResult, VerifyVariant } from '../model/verify.ts'

/** χ² (or Fisher) tests agree at p ≥ this: the issue's level, and the one fairness predictions use. */
export const VERIFY_ALPHA = 0.01

/** Options for {@link compareVariant}. */
export interface CrossCheckOptions extends ErrorWindowOptions {
  /** Tests agree at p ≥ this. @default VERIFY_ALPHA */
  alpha?: number
  /** A UDP Service's conntrack settings (the blackhole's tolerance). @default kube-proxy's cleanup, the kernel's 30 s and 120 s timeouts */
  udp?: UdpCrossCheckOptions
}

/** A UDP Service's results (`udp` non-null): its figures are worded for flows and queries. */
const isUdp = (r: VariantResult) => r.udp != null
/** What to run more of when a test has too few counts. */
const more = (r: VariantResult): TwoSampleOptions => (isUdp(r) ? { more: 'clients' } : {})
/** A tested figure of the variant. */
const tested = (figure: VerifyFigure['figure'], r: VariantResult, proxy: string, kernel: string, a: readonly number[], b: readonly number[], alpha: number) =>
  testedFigure(figure, { proxy, kernel }, [a, b], alpha, more(r))

/** Per-pod decisions: the same split? */
function splitFigure(px: VariantResult, k: VariantResult, alpha: number): VerifyFigure {
  const names = [...new Set([...px.pods, ...k.pods].map((p) => p.name))]
  const row = (r: VariantResult) => names.map((n) => r.pods.find((p) => p.name === n)?.decisions ?? 0)
  const a = row(px)
  const b = row(k)
  const show = (r: VariantResult, counts: number[]) => {
    const total = counts.reduce((s, x) => s + x, 0)
    return `${names.map((n, i) => `${n} ${counts[i]}`).filter((_, i) => (a[i] ?? 0) + (b[i] ?? 0) > 0).join(', ')} (${total} ${r.fairness.unit})`
  }
  if (a.every((x) => x === 0) && b.every((x) => x === 0)) return { figure: 'split', proxy: show(px, a), kernel: show(k, b), verdict: 'not-compared', basis: 'no balancing decision on either side' }
  // As for the fairness prediction (decisions.ts): a fault changes who takes traffic, at a moment
  // each side notices on its own probe phase, so the splits differ by when, not by how.
  const faults = Math.max(px.failover.length, k.failover.length)
  if (faults > 0) return { figure: 'split', proxy: show(px, a), kernel: show(k, b), verdict: 'not-compared', basis: `${faults} fault${faults === 1 ? '' : 's'} changed who could take traffic at times that differ between the two runs (see detection); the split is compared without faults` }
  return tested('split', px, show(px, a), show(k, b), a, b, alpha)
}

/** Clients every decision of which went to one pod, against the others. */
function clientsOnOnePodFigure(px: VariantResult, k: VariantResult, alpha: number): VerifyFigure {
  const row = (r: VariantResult) => [r.stickiness.clientsOnOnePod, r.stickiness.clients - r.stickiness.clientsOnOnePod]
  const show = (r: VariantResult) => `${r.stickiness.clientsOnOnePod}/${r.stickiness.clients}${isUdp(r) ? ' (all their flows picked for one pod)' : ''}`
  if (px.stickiness.clients === 0 && k.stickiness.clients === 0) return { figure: 'clientsOnOnePod', proxy: show(px), kernel: show(k), verdict: 'not-compared', basis: 'no client was balanced on either side' }
  return tested('clientsOnOnePod', px, show(px), show(k), row(px), row(k), alpha)
}

/** Client addresses by how many pods they reached (from the stickiness matrix: its first clients in address order). */
export function podsPerClientHistogram(r: Pick<VariantResult, 'stickiness'>): number[] {
  const pods = new Map<string, Set<string>>()
  for (const m of r.stickiness.matrix) if (m.decisions > 0) (pods.get(m.client) ?? pods.set(m.client, new Set()).get(m.client)!).add(m.pod)
  const out: number[] = []
  for (const s of pods.values()) out[s.size - 1] = (out[s.size - 1] ?? 0) + 1
  return Array.from(out, (x) => x ?? 0)
}

function podsPerClientFigure(px: VariantResult, k: VariantResult, alpha: number): VerifyFigure {
  const a = podsPerClientHistogram(px)
  const b = podsPerClientHistogram(k)
  const show = (r: VariantResult, h: number[]) => `mean ${r.stickiness.meanPodsPerClient.toFixed(2)}, max ${r.stickiness.maxPodsPerClient}; clients by pods reached: ${h.map((n, i) => `${i + 1}:${n}`).join(' ') || 'none'}`
  if (a.length === 0 && b.length === 0) return { figure: 'podsPerClient', proxy: show(px, a), kernel: show(k, b), verdict: 'not-compared', basis: 'no client was balanced on either side' }
  const f = tested('podsPerClient', px, show(px, a), show(k, b), a, b, alpha)
  return { ...f, basis: `${f.basis} (the first ${Math.max(a.reduce((s, x) => s + x, 0), b.reduce((s, x) => s + x, 0))} client addresses of each side's stickiness matrix)` }
}

/** What the pods saw as source address (TCP's, or a UDP query's): client addresses (kept) or node addresses (SNAT), counted. */
function sourceAddressesFigure(px: VariantResult, k: VariantResult): VerifyFigure {
  const kind = (c: number, n: number) => (c > 0 && n === 0 ? 'client addresses kept' : n > 0 && c === 0 ? 'SNAT to node addresses' : c === 0 ? 'none seen' : 'mixed')
  const show = (r: VariantResult) => {
    const { clientAddressesSeen: c, nodeAddressesSeen: n } = r.sourceAddresses
    return `${c} client, ${n} node addresses (${kind(c, n)})`
  }
  if (px.countedBy === 'proxies' || k.countedBy === 'proxies') return { figure: 'sourceAddresses', proxy: show(px), kernel: show(k), verdict: 'not-compared', basis: 'command pods: no pod counted its source addresses' }
  const same = px.sourceAddresses.clientAddressesSeen === k.sourceAddresses.clientAddressesSeen && px.sourceAddresses.nodeAddressesSeen === k.sourceAddresses.nodeAddressesSeen
  return { figure: 'sourceAddresses', proxy: show(px), kernel: show(k), verdict: same ? 'agrees' : 'differs', basis: `distinct client and node addresses seen as ${isUdp(px) ? "the queries' source address" : 'TCP source'} by the pods; deterministic, so they must be equal` }
}

/** Every figure of one variant, proxy dataplane against kernel dataplane. */
export function compareVariant(proxy: VariantResult, kernel: VariantResult, opts: CrossCheckOptions): VerifyVariant {
  const alpha = opts.alpha ?? VERIFY_ALPHA
  const udp = compareUdp(proxy, kernel, { ...opts, alpha })
  const figures = [
    splitFigure(proxy, kernel, alpha),
    clientsOnOnePodFigure(proxy, kernel, alpha),
    podsPerClientFigure(proxy, kernel, alpha),
    sourceAddressesFigure(proxy, kernel),
    ...udp.clients,
    ...compareErrorWindows(proxy, kernel, opts),
    ...udp.faults,
  ]
  return {
    name: proxy.name,
    proxyMode: proxy.proxyMode,
    externalTrafficPolicy: proxy.externalTrafficPolicy,
    sessionAffinity: proxy.sessionAffinity,
    figures,
    verdict: figures.some((f) => f.verdict === 'differs') ? 'differs' : 'agrees',
  }
}

/** What {@link compareRuns} records besides the verdicts. */
export interface CompareRunsMeta {
  /** Where each side's results.json is, relative to verify.json. */
  results: VerifyResult['results']
  /** The scenario file as the command line named it. */
  file: string | undefined
}

/**
 * Every variant of `proxy` (run on the proxy dataplane) against the same variant of `kernel`;
 * variants that ran on one side only (an interrupted run) are left out. Detection times are judged
 * with the variant's own readiness-probe period.
 */
export function compareRuns(proxy: RunResult, kernel: RunResult, meta: CompareRunsMeta): VerifyResult {
  const variants: VerifyVariant[] = []
  for (const p of proxy.variants) {
    const k = kernel.variants.find((x) => x.name === p.name)
    if (k === undefined) continue
    const resolved = proxy.resolved.find((v) => v.name === p.name)
    const udp = resolved === undefined ? undefined : { cleanup: resolved.service.udpConntrackCleanup, ...resolved.cluster.conntrack }
    variants.push(compareVariant(p, k, { probePeriodSeconds: resolved?.cluster.readinessProbe.periodSeconds ?? 10, udp }))
  }
  return {
    schemaVersion: 1,
    scenario: { name: proxy.scenario.name, file: meta.file },
    seed: proxy.seed,
    startedAt: proxy.startedAt,
    finishedAt: kernel.finishedAt,
    interrupted: proxy.interrupted || kernel.interrupted,
    results: meta.results,
    criteria: { alpha: VERIFY_ALPHA, detectionSlackSec: DETECTION_SLACK_SEC, errorShareFactor: ERROR_SHARE_FACTOR },
    variants,
    verdict: variants.some((v) => v.verdict === 'differs') ? 'differs' : 'agrees',
  }
}
