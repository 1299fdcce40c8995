/**
 * What one fault cost a UDP Service's flows (fixed source ports: a flow is a client's socket,
 * pinned to one pod for as long as its entry lives), from every query's outcome on each flow
 * (load/udp-tally.ts), by intended start. Pure.
 */
import type { UdpFlowRecord, UdpLoadResult } from '../model/measurements.ts'
import type { UdpFailover } from '../model/udp-results.ts'

/** A flow's outcomes in intended-start order. */
function ordered(f: UdpFlowRecord): { t: number; pod: number }[] {
  return f.t.map((t, i) => ({ t, pod: f.pod[i] as number })).sort((a, b) => a.t - b.t)
}

/**
 * A fault at `atMs` (ms since the epoch) on `pods`: the flows whose pod when it struck (their last
 * answer before it) was one of them; those that lost queries after it, up to `endMs` (the next
 * fault); when each was answered again (by the end of the run: a restart that is the next fault
 * answers after it), and by which pod. Null without fixed source ports.
 */
export function udpFailover(u: UdpLoadResult | undefined, pods: readonly string[], atMs: number, endMs: number): UdpFailover | null {
  if (u === undefined || u.sourcePort !== 'fixed') return null
  const dead = new Set(pods.map((p) => u.podNames.indexOf(p)).filter((i) => i >= 0))
  const out: UdpFailover = { flowsOnDeadEndpoint: 0, flowsStuck: 0, queriesLost: 0, lastLostSec: null, flowsMoved: 0, lastMovedAtSec: null, flowsBackOnSamePod: 0, flowsNeverAnswered: 0 }
  const sec = (ms: number) => Math.round(ms) / 1000
  for (const f of u.flows) {
    const xs = ordered(f)
    const before = xs.filter((x) => x.t < atMs && x.pod >= 0)
    const pod = before[before.length - 1]?.pod
    if (pod === undefined || !dead.has(pod)) continue
    out.flowsOnDeadEndpoint++
    const window = xs.filter((x) => x.t >= atMs && x.t < endMs)
    const lost = window.filter((x) => x.pod < 0)
    if (lost.length === 0) continue
    out.flowsStuck++
    out.queriesLost += lost.length
    const lastLost = (lost[lost.length - 1] as { t: number }).t
    out.lastLostSec = Math.max(out.lastLostSec ?? -Infinity, sec(lastLost))
    // The first answer after its last loss: another pod (its entry deleted or expired: a new pick), or the same one (restarted on its address).
    const next = xs.find((x) => x.t > lastLost && x.pod >= 0)
    if (next === undefined) out.flowsNeverAnswered++
    else if (next.pod === pod) out.flowsBackOnSamePod++
    else {
      out.flowsMoved++
      out.lastMovedAtSec = Math.max(out.lastMovedAtSec ?? -Infinity, sec(next.t))
    }
  }
  return out
}
