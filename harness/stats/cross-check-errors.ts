/**
 * The cross-check's per-window figures (cross-check.ts): the error kinds and counts in each
 * fault's window (the whole run when there is no fault), and each fault's detection time. Pure.
 *
 * Kinds must be the same on both sides, except where docs/kube-proxy-model.md explains a
 * difference ("known difference", never a silent pass):
 * - a connection that fails at once is `reset` through the proxy (it accepted before it knew the
 *   pod was gone) and `connect-refused` through kernel NAT (the pod's kernel refuses the SYN):
 *   the two kinds are taken as one, "refused or reset";
 * - while the Service has no endpoint at all, the kernel's REJECT answers with ICMP errors that
 *   the kernel rate-limits per client address, so some refusals arrive late or never (timeouts),
 *   where the proxy refuses every connection at once: kernel timeouts in such a window are taken
 *   as withheld refusals, and the counts are not compared (they differ by design);
 * - a dead node (kill-node) refuses at once in the simulator (its proxy process is gone, nothing
 *   listens on its address) where in the kernel it answers nothing (its link is down: timeouts):
 *   in a kill-node window refusals, resets and timeouts are taken as one, counts not compared.
 * Counts are compared as the share of the window's requests that failed, not as numbers: a count
 * scales with each dataplane's request rate, which differs by design (a proxy process against the
 * kernel's forwarding); the share does not, but it still depends on how fast a failed request
 * returns on each side, so two shares agree within a factor (ERROR_SHARE_FACTOR) or an absolute
 * floor (ERROR_SHARE_FLOOR), not by a statistical test.
 * A UDP Service with fixed source ports: a fault's window counts the queries its stuck flows lost
 * (failover[].udp.queriesLost), and those scale with how many flows the kernel's unseeded random
 * picks put on the dead pod (32 flows over 4 pods: binomial, 8 on average, standard deviation
 * √(32·¼·¾) ≈ 2.4), not with how the dataplane behaves: they are left out of the shares compared
 * here and judged per flow by cross-check-udp.ts (flows stuck, their fates, the blackhole); the
 * kinds still take every error, and the other failed queries' shares are still compared.
 * Detection times agree within one readiness-probe period plus DETECTION_SLACK_SEC: each run's
 * probes tick at their own phase against the fault, so either side may notice up to one period
 * later than the other; the slack covers the rules' programming (`nft -f` on every node) and
 * timers on a loaded machine.
 */
import { leavesNoEndpoints } from './timeline.ts'
import { ERROR_KINDS, type ErrorKind, type FailoverResult } from '../model/variant-parts.ts'
import type { VariantResult } from '../model/results.ts'
import type { VerifyFigure } from '../model/verify.ts'

/** Detection times agree within one probe period plus this, s. */
export const DETECTION_SLACK_SEC = 0.25
/** Error shares agree within this factor of each other. */
export const ERROR_SHARE_FACTOR = 2
/** Error shares closer than this (absolute) agree whatever their ratio: half a percentage point. */
export const ERROR_SHARE_FLOOR = 0.005

/** Where docs/kube-proxy-model.md explains each known difference. */
export const KNOWN_DIFFERENCES = {
  refusedOrReset: 'docs/kube-proxy-model.md#known-differences ("A proxy process per node, not kernel NAT")',
  rejectRateLimit: 'docs/kube-proxy-model.md#known-differences ("REJECT\'s refusals are rate-limited in the kernel")',
  deadNode: 'docs/kube-proxy-model.md#known-differences ("A dead node refuses in the simulator")',
} as const

/** Options for {@link compareErrorWindows}. */
export interface ErrorWindowOptions {
  /** The readiness probe's periodSeconds (detection tolerance: one period plus DETECTION_SLACK_SEC). */
  probePeriodSeconds: number
}

/** One window of a side: its errors and the share of its requests that failed. */
interface Window {
  label: string
  fromSec: number
  toSec: number
  errors: Record<ErrorKind, number>
  /** Errors over requests (answered or failed in transport), from the per-second timeline. */
  share: number
  /** The Service had no endpoint at all at some moment of the window (REJECT). */
  noEndpoints: boolean
  /** The window is a kill-node fault's. */
  nodeKilled: boolean
  /** A UDP fault with fixed source ports: the queries its stuck flows lost (left out of `share`); null otherwise. */
  stuckLost: number | null
  /** What the load sent: `requests` (TCP) or `queries` (UDP). */
  unit: 'requests' | 'queries'
}

const TRANSPORT: readonly ErrorKind[] = ['connect-refused', 'reset', 'timeout']
const total = (e: Record<ErrorKind, number>) => ERROR_KINDS.reduce((s, k) => s + (e[k] ?? 0), 0)

/** [from, to) intervals (s) in which the Service had no endpoint, from the endpoint updates. */
function noEndpointPeriods(r: VariantResult): [number, number][] {
  const out: [number, number][] = []
  let from: number | null = null
  for (const e of r.events.filter((x) => x.type === 'endpoints-updated')) {
    if (leavesNoEndpoints(e)) from ??= e.tSec
    else if (from !== null) {
      out.push([from, e.tSec])
      from = null
    }
  }
  if (from !== null) out.push([from, Number.POSITIVE_INFINITY])
  return out
}

/** A fault window's name, as printed: `kill-pod pod-2 at 1.0s`. */
export const faultWindowLabel = (f: Pick<FailoverResult, 'fault' | 'target' | 'atSec'>) => `${f.fault} ${f.target} at ${f.atSec.toFixed(1)}s`

/** Where a fault's window ends: at the next fault, or the end of the measured phase, s. */
export function faultWindowEndSec(r: Pick<VariantResult, 'failover' | 'durationSec'>, f: Pick<FailoverResult, 'atSec'>): number {
  return Math.min(r.durationSec, ...r.failover.map((g) => g.atSec).filter((s) => s > f.atSec))
}

/** Each fault's window (from it to the next fault, or the end), or the whole run without faults. */
function windowsOf(r: VariantResult): Window[] {
  const periods = noEndpointPeriods(r)
  const unit = r.udp == null ? 'requests' : 'queries'
  const make = (label: string, fromSec: number, toSec: number, errors: Record<ErrorKind, number>, f?: FailoverResult): Window => {
    let requests = 0
    for (const p of r.timeline) {
      const overlap = Math.max(0, Math.min(toSec, p.tSec + 1) - Math.max(fromSec, p.tSec))
      requests += overlap * (p.rps + TRANSPORT.reduce((s, k) => s + (p.errorsByKind[k] ?? 0), 0))
    }
    const stuckLost = f?.udp?.queriesLost ?? null
    const n = Math.max(0, total(errors) - (stuckLost ?? 0))
    // (the stuck flows' lost queries leave the denominator too: the share is of the other queries)
    const others = Math.max(0, requests - (stuckLost ?? 0))
    const share = n === 0 ? 0 : Math.min(1, n / Math.max(n, others))
    return { label, fromSec, toSec, errors, share, noEndpoints: periods.some(([a, b]) => a < toSec && b > fromSec), nodeKilled: f?.fault === 'kill-node', stuckLost, unit }
  }
  if (r.failover.length === 0) return [make('whole run', 0, r.durationSec, r.errors.byKind)]
  return r.failover.map((f) => make(faultWindowLabel(f), f.atSec, faultWindowEndSec(r, f), f.errors, f))
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`
const showErrors = (w: Window) => {
  const kinds = ERROR_KINDS.filter((k) => (w.errors[k] ?? 0) > 0)
  if (kinds.length === 0) return 'no errors'
  const stuck = (w.stuckLost ?? 0) === 0 ? '' : `${w.stuckLost} lost by stuck flows; others `
  return `${kinds.map((k) => `${k} ${Math.round(w.errors[k])}`).join(', ')} (${stuck}${pct(w.share)} of ${w.unit})`
}

/** Whether two shares of failed requests agree, and how that was judged. */
function sharesAgree(px: Window, k: Window): { agree: boolean; basis: string } {
  const [a, b] = [px.share, k.share]
  const ratio = Math.min(a, b) === 0 ? Number.POSITIVE_INFINITY : Math.max(a, b) / Math.min(a, b)
  const agree = Math.abs(a - b) <= ERROR_SHARE_FLOOR || ratio <= ERROR_SHARE_FACTOR
  const stuck = (px.stuckLost ?? 0) === 0 && (k.stuckLost ?? 0) === 0 ? '' : `the stuck flows' lost queries (${px.stuckLost ?? 0} and ${k.stuckLost ?? 0}) left out: they scale with how many flows the kernel's unseeded picks put on the dead pod (judged per flow under flows stuck and blackhole); `
  return { agree, basis: `${stuck}shares of failed ${px.unit} ${pct(a)} and ${pct(b)}: agree within ×${ERROR_SHARE_FACTOR} or ${pct(ERROR_SHARE_FLOOR)} apart` }
}

/** The error figure of one window: kinds first, then counts (as shares). */
function errorsFigure(px: Window, k: Window): VerifyFigure {
  const base = { figure: 'errors' as const, window: px.label, proxy: showErrors(px), kernel: showErrors(k) }
  const P = new Set<string>(ERROR_KINDS.filter((x) => (px.errors[x] ?? 0) > 0))
  const K = new Set<string>(ERROR_KINDS.filter((x) => (k.errors[x] ?? 0) > 0))
  if (P.size === 0 && K.size === 0) return { ...base, verdict: 'agrees', basis: 'no errors on either side' }
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x))
  // Known differences, in the order docs/kube-proxy-model.md gives them.
  if (px.nodeKilled && !same(P, K)) {
    const dead = (x: Set<string>) => new Set([...x].map((y) => (y === 'reset' || y === 'connect-refused' || y === 'timeout' ? 'failed' : y)))
    if (same(dead(P), dead(K))) {
      return { ...base, verdict: 'known-difference', basis: 'a dead node refuses at once through the proxy (nothing listens on its address) and answers nothing in the kernel (its link is down: timeouts); kinds taken as one, counts not compared', explainedBy: KNOWN_DIFFERENCES.deadNode }
    }
  }
  const rejected = px.noEndpoints || k.noEndpoints
  const merged = (s: Set<string>) => new Set([...s].map((x) => (x === 'reset' || x === 'connect-refused' ? 'refused or reset' : x)))
  const usedRefused = !same(P, K) && (P.has('reset') !== K.has('reset') || P.has('connect-refused') !== K.has('connect-refused'))
  const P2 = usedRefused ? merged(P) : P
  const K2 = usedRefused ? merged(K) : K
  // Withheld ICMP errors: the kernel's connection waits for its SYN's retransmissions and may time out.
  const failedAtOnce = (x: Set<string>) => x.has('connect-refused') || x.has('refused or reset')
  if (rejected && !same(P2, K2) && K2.has('timeout') && !P2.has('timeout') && failedAtOnce(P2) && failedAtOnce(K2)) K2.delete('timeout')
  if (!same(P2, K2)) return { ...base, verdict: 'differs', basis: `different error kinds${usedRefused || rejected ? ', beyond the known differences' : ''}` }
  const explained = [...(usedRefused ? [KNOWN_DIFFERENCES.refusedOrReset] : []), ...(rejected ? [KNOWN_DIFFERENCES.rejectRateLimit] : [])].join('; ')
  const why = [
    ...(usedRefused ? ['a connection that fails at once is reset through the proxy and refused through kernel NAT'] : []),
    ...(rejected ? ["the Service had no endpoint (REJECT): the kernel rate-limits REJECT's ICMP errors per client address, so its refusals come late or not at all (timeouts) where the proxy refuses every connection at once; kinds compared, counts not"] : []),
  ].join('; ')
  if (rejected) return { ...base, verdict: 'known-difference', basis: why, explainedBy: explained }
  const s = sharesAgree(px, k)
  if (!usedRefused) return { ...base, verdict: s.agree ? 'agrees' : 'differs', basis: `the same kinds; ${s.basis}` }
  return { ...base, verdict: s.agree ? 'known-difference' : 'differs', basis: `${why}; ${s.basis}`, ...(s.agree ? { explainedBy: explained } : {}) }
}

/** The detection figure of one fault: the same within one probe period plus the slack. */
function detectionFigure(label: string, px: FailoverResult, k: FailoverResult, periodSec: number): VerifyFigure {
  const show = (f: FailoverResult) => {
    const e = f.expectedDetectionSec
    return `${f.detectionSec === null ? 'never' : `${f.detectionSec.toFixed(2)} s`}${e === null ? '' : ` (expected ${e.min.toFixed(2)}–${e.max.toFixed(2)} s)`}`
  }
  const base = { figure: 'detection' as const, window: label, proxy: show(px), kernel: show(k) }
  const tolerance = periodSec + DETECTION_SLACK_SEC
  const basis = `within one probe period (${periodSec} s) + ${DETECTION_SLACK_SEC} s`
  if (px.detectionSec === null || k.detectionSec === null) {
    const both = px.detectionSec === k.detectionSec
    return { ...base, verdict: both ? 'agrees' : 'differs', basis: both ? 'never detected on either side' : 'detected on one side only' }
  }
  const d = Math.abs(px.detectionSec - k.detectionSec)
  return { ...base, verdict: d <= tolerance + 1e-9 ? 'agrees' : 'differs', basis: `${d.toFixed(2)} s apart; agree ${basis}` }
}

/** The error figure of every window, and the detection figure of every fault. */
export function compareErrorWindows(px: VariantResult, k: VariantResult, opts: ErrorWindowOptions): VerifyFigure[] {
  const a = windowsOf(px)
  const b = windowsOf(k)
  const out: VerifyFigure[] = []
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const w = a[i]
    const v = b[i]
    if (w === undefined || v === undefined) {
      out.push({ figure: 'errors', window: (w ?? v)!.label, proxy: w === undefined ? 'no such fault' : showErrors(w), kernel: v === undefined ? 'no such fault' : showErrors(v), verdict: 'differs', basis: 'the fault happened on one side only' })
      continue
    }
    out.push(errorsFigure(w, v))
  }
  for (let i = 0; i < Math.min(px.failover.length, k.failover.length); i++) {
    const f = px.failover[i] as FailoverResult
    const g = k.failover[i] as FailoverResult
    const label = a[i]!.label
    // A fault not carried out in full (or not finished by the end) still compares as detected or not.
    const d = detectionFigure(label, f, g, opts.probePeriodSeconds)
    // (results written before `failed` was reported have none)
    const notes = [['proxy', f.failed ?? null], ['kernel', g.failed ?? null]].filter(([, why]) => why !== null).map(([side, why]) => `on the ${side} side the fault did not happen as written: ${why}`)
    out.push(notes.length === 0 ? d : { ...d, basis: `${d.basis}; ${notes.join('; ')}` })
  }
  return out
}
