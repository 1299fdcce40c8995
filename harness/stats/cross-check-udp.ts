/**
 * The cross-check's own figures for a UDP Service (results `udp` non-null), beside those every
 * Service has (cross-check.ts): what the clients observed, and per fault what the stale conntrack
 * entries cost the flows pinned to the dead endpoint. Pure.
 *
 * - `clientsAnsweredByOnePod`: clients answered by one pod only against the others, from the
 *   answers (each names its pod), so what the clients saw rather than what the nodes counted; the
 *   same two-sample test as the other counted figures.
 * - `flowsStuck`, per fault: of the flows on the dead endpoint when it struck, those that lost
 *   queries after it, against those that did not: a 2×2 table (χ², or Fisher's exact test). The
 *   kernel's picks are not seeded, so how many flows the dead pod had differs between the runs;
 *   the share stuck does not. A side with none on it has nothing to compare.
 * - `stuckFlowFates`, per fault: the stuck flows moved to another pod, back on the same pod (it
 *   came back on its address), or never answered again: the same test, 2×3.
 * - `blackhole`, per fault: from the fault to the stuck flows' last lost query (no stuck flow: 0),
 *   s; compared as a length, not as queries lost, which scale with the number of stuck flows (a
 *   pick's luck) — they are shown per stuck flow. Agree within a tolerance that depends on what
 *   ends the blackhole (blackholeTolerance).
 */
import { testedFigure } from './two-sample.ts'
import { DETECTION_SLACK_SEC, faultWindowEndSec, faultWindowLabel } from './cross-check-errors.ts'
import { leavesNoEndpoints } from './timeline.ts'
import type { UdpConntrackCleanup } from '../model/scenario.ts'
import type { VariantResult } from '../model/results.ts'
import type { FailoverResult } from '../model/variant-parts.ts'
import type { UdpFailover } from '../model/udp-results.ts'
import type { VerifyFigure } from '../model/verify.ts'

/** A UDP Service's conntrack settings, as the variant resolved them. */
export interface UdpCrossCheckOptions {
  /** What deletes a dead endpoint's entries (`service.udpConntrackCleanup`). @default 'kube-proxy' */
  cleanup: UdpConntrackCleanup
  /** The nodes' unreplied UDP timeout, ms. @default 30000 */
  udpTimeoutMs: number
  /** The nodes' UDP stream timeout, ms. @default 120000 */
  udpStreamTimeoutMs: number
}

/** Without options: kube-proxy's cleanup and the kernel's timeouts (nf_conntrack_proto_udp.c `udp_timeouts`: 30 s, 120 s). */
export const DEFAULT_UDP_CROSS_CHECK: UdpCrossCheckOptions = { cleanup: 'kube-proxy', udpTimeoutMs: 30_000, udpStreamTimeoutMs: 120_000 }

/** Options for {@link compareUdp}. */
export interface CompareUdpOptions {
  /** Tests agree at p ≥ this. */
  alpha: number
  /** The readiness probe's periodSeconds. */
  probePeriodSeconds: number
  /** The conntrack settings. @default DEFAULT_UDP_CROSS_CHECK */
  udp?: UdpCrossCheckOptions
}

const MORE = { more: 'clients' }

/** Clients answered by one pod only, against the others (what the clients observed). */
function clientsFigure(px: VariantResult, k: VariantResult, alpha: number): VerifyFigure {
  const u = (r: VariantResult) => r.udp!
  const row = (r: VariantResult) => [u(r).clientsOnOnePod, u(r).clients.length - u(r).clientsOnOnePod]
  const show = (r: VariantResult) => `${u(r).clientsOnOnePod} of ${u(r).clients.length} clients answered by one pod only`
  if (u(px).clients.length === 0 && u(k).clients.length === 0) return { figure: 'clientsAnsweredByOnePod', proxy: show(px), kernel: show(k), verdict: 'not-compared', basis: 'no client was answered on either side' }
  const f = testedFigure('clientsAnsweredByOnePod', { proxy: show(px), kernel: show(k) }, [row(px), row(k)], alpha, MORE)
  return { ...f, basis: `${f.basis} (from the answers, each naming its pod)` }
}

/**
 * How far apart the two blackholes may end, s, and why.
 * - Cleanup (kube-proxy's reconciler, or 1.31's per-sync deletion): the entries are deleted at the
 *   endpoint update (pkg/proxy/conntrack/cleanup.go `CleanStaleEntries`), so each side's
 *   blackhole ends at its own detection, and the two ends differ as detection times do: one probe
 *   period (each run's probes tick at their own phase) + DETECTION_SLACK_SEC.
 * - No cleanup: an entry ends when it expires, one timeout after its last packet; the stuck
 *   flow's own queries refresh it (nf_conntrack_proto_udp.c `nf_conntrack_udp_packet`: every
 *   packet, either way), so it expires in the first quiet spell longer than the timeout, and the
 *   blackhole ends at the stuck flows' last query before that spell. Both runs carry the same load,
 *   so the same spell: each end is a stuck flow's last query before it, less than one timeout
 *   before its start (a longer gap would itself have been the spell), so the ends agree within one
 *   timeout; an entry that outlived the spell on one side ends at least the spell's length, one
 *   timeout, later. The timeout is the stale entry's: the stream timeout once it had a reply and
 *   was 2 s old, else the unreplied one, so the larger of the two; + DETECTION_SLACK_SEC for timers.
 * - kube-proxy (1.32+) deletes nothing while the Service has no serving endpoint ("a Service
 *   without endpoints does not require to clean"): such a window takes the larger of the two.
 */
export function blackholeTolerance(px: VariantResult, k: VariantResult, f: FailoverResult, opts: Omit<CompareUdpOptions, 'alpha'>): { sec: number; why: string } {
  const u = opts.udp ?? DEFAULT_UDP_CROSS_CHECK
  const timeoutSec = Math.max(u.udpTimeoutMs, u.udpStreamTimeoutMs) / 1000
  const expiry = { sec: timeoutSec + DETECTION_SLACK_SEC, why: `without cleanup the stale entries end it only when they expire (or the pod comes back on its address): ends agree within one conntrack timeout (${timeoutSec} s, the larger of udpTimeout and udpStreamTimeout) + ${DETECTION_SLACK_SEC} s` }
  const update = { sec: opts.probePeriodSeconds + DETECTION_SLACK_SEC, why: `${u.cleanup}'s cleanup deletes the stale entries at the endpoint update: ends agree as detection does, within one probe period (${opts.probePeriodSeconds} s) + ${DETECTION_SLACK_SEC} s` }
  if (u.cleanup === 'none') return expiry
  const noneServing = (r: VariantResult) => r.events.some((e) => e.tSec >= f.atSec && e.tSec < faultWindowEndSec(r, f) && leavesNoEndpoints(e))
  if (u.cleanup === 'kube-proxy' && (noneServing(px) || noneServing(k))) {
    return { sec: Math.max(expiry.sec, update.sec), why: `the Service was left with no serving endpoint, when kube-proxy deletes no entry: ends agree within the larger of one conntrack timeout (${timeoutSec} s) and one probe period (${opts.probePeriodSeconds} s), + ${DETECTION_SLACK_SEC} s` }
  }
  return update
}

/** The fault figures of one fault on both sides (fixed source ports: udp non-null on both). */
function faultFigures(px: VariantResult, k: VariantResult, i: number, opts: CompareUdpOptions): VerifyFigure[] {
  const f = px.failover[i] as FailoverResult
  const a = f.udp as UdpFailover
  const b = (k.failover[i] as FailoverResult).udp as UdpFailover
  const window = faultWindowLabel(f)
  const stuckShow = (x: UdpFailover) => `${x.flowsStuck} of ${x.flowsOnDeadEndpoint} flows on the dead endpoint stuck`
  const fatesShow = (x: UdpFailover) => `${x.flowsMoved} moved, ${x.flowsBackOnSamePod} back on the same pod, ${x.flowsNeverAnswered} never answered (of ${x.flowsStuck} stuck)`
  const lengthSec = (x: UdpFailover) => (x.lastLostSec === null ? 0 : Math.max(0, x.lastLostSec - f.atSec))
  const holeShow = (x: UdpFailover) => (x.flowsStuck === 0 ? 'none (no flow stuck)' : `${lengthSec(x).toFixed(2)} s (last lost query at ${x.lastLostSec?.toFixed(2)} s), ${(x.queriesLost / x.flowsStuck).toFixed(1)} queries lost per stuck flow`)
  const empty = [['proxy', a], ['kernel', b]].find(([, x]) => (x as UdpFailover).flowsOnDeadEndpoint === 0)?.[0]
  if (empty !== undefined) {
    const why = `no flow was on the fault's pods on the ${a.flowsOnDeadEndpoint === 0 && b.flowsOnDeadEndpoint === 0 ? 'either' : empty} side when it struck: nothing to compare (the kernel's picks are not seeded, so which pods the flows land on differs between the runs)`
    return [
      { figure: 'flowsStuck', window, proxy: stuckShow(a), kernel: stuckShow(b), verdict: 'not-compared', basis: why },
      { figure: 'stuckFlowFates', window, proxy: fatesShow(a), kernel: fatesShow(b), verdict: 'not-compared', basis: why },
      { figure: 'blackhole', window, proxy: holeShow(a), kernel: holeShow(b), verdict: 'not-compared', basis: why },
    ]
  }
  const stuck = { ...testedFigure('flowsStuck', { proxy: stuckShow(a), kernel: stuckShow(b) }, [[a.flowsStuck, a.flowsOnDeadEndpoint - a.flowsStuck], [b.flowsStuck, b.flowsOnDeadEndpoint - b.flowsStuck]], opts.alpha, MORE), window }
  const noStuck = a.flowsStuck === 0 ? 'proxy' : b.flowsStuck === 0 ? 'kernel' : undefined
  const fates: VerifyFigure = noStuck !== undefined
    ? { figure: 'stuckFlowFates', window, proxy: fatesShow(a), kernel: fatesShow(b), verdict: 'not-compared', basis: `no flow stuck on the ${a.flowsStuck === 0 && b.flowsStuck === 0 ? 'either' : noStuck} side: no fate to compare` }
    : { ...testedFigure('stuckFlowFates', { proxy: fatesShow(a), kernel: fatesShow(b) }, [[a.flowsMoved, a.flowsBackOnSamePod, a.flowsNeverAnswered], [b.flowsMoved, b.flowsBackOnSamePod, b.flowsNeverAnswered]], opts.alpha, MORE), window }
  const tol = blackholeTolerance(px, k, f, opts)
  const d = Math.abs(lengthSec(a) - lengthSec(b))
  const hole: VerifyFigure = { figure: 'blackhole', window, proxy: holeShow(a), kernel: holeShow(b), verdict: d <= tol.sec + 1e-9 ? 'agrees' : 'differs', basis: `${d.toFixed(2)} s apart; ${tol.why}` }
  return [stuck, fates, hole]
}

/** A UDP variant's own figures: the clients' view, and per fault with fixed source ports the stuck flows, their fates and the blackhole. None for a TCP Service. */
export function compareUdp(px: VariantResult, k: VariantResult, opts: CompareUdpOptions): { clients: VerifyFigure[]; faults: VerifyFigure[] } {
  if (px.udp == null || k.udp == null) return { clients: [], faults: [] }
  const out: VerifyFigure[] = []
  for (let i = 0; i < Math.min(px.failover.length, k.failover.length); i++) {
    const f = px.failover[i] as FailoverResult
    const g = k.failover[i] as FailoverResult
    // Per-query source ports have no flow to follow (udp null); a scale or rolling update names no pod.
    if (f.udp == null || g.udp == null || (f.pods.length === 0 && g.pods.length === 0)) continue
    out.push(...faultFigures(px, k, i, opts))
  }
  return { clients: [clientsFigure(px, k, opts.alpha)], faults: out }
}
