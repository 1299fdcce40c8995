/**
 * The UDP executor's own bookkeeping beside the recorder's: which pod answered each client (every
 * answer names its pod) and, with fixed source ports, every query's outcome on each flow (the pod
 * that answered, or lost), so that failover statistics can tell the flows stuck on a dead
 * endpoint from the rest, and when each moved. No sockets, no clock: times are passed in.
 */
import { MAX_FLOW_OUTCOMES, type UdpFlowRecord, type UdpLoadResult } from '../model/measurements.ts'

/** Options for {@link createUdpTally}. */
export interface UdpTallyOptions {
  /** Start of the measured phase (Date.now() ms): earlier answers and losses are warm-up. */
  epochMs: number
  sourcePort: UdpLoadResult['sourcePort']
}

/** What the executor tells the tally. Times are Date.now() ms. */
export interface UdpTally {
  /** The record of a fixed socket (client address and its port). */
  flow(client: string, port: number): UdpFlowRecord
  /** Query intended at `intendedMs` from `client` (on `flow`, with fixed ports) was answered by `pod`. */
  answered(client: string, flow: UdpFlowRecord | null, pod: string, intendedMs: number): void
  /** Query intended at `intendedMs` on `flow` got no answer in time. */
  lost(flow: UdpFlowRecord | null, intendedMs: number): void
  result(): UdpLoadResult
}

/** A fresh tally. */
export function createUdpTally(o: UdpTallyOptions): UdpTally {
  const byClient: UdpLoadResult['byClient'] = {}
  const flows: UdpFlowRecord[] = []
  const podNames: string[] = []
  const podIndex = new Map<string, number>()
  let kept = 0
  const note = (f: UdpFlowRecord, intendedMs: number, pod: number) => {
    if (kept >= MAX_FLOW_OUTCOMES) return
    kept++
    f.t.push(Math.round((intendedMs - o.epochMs) * 10) / 10)
    f.pod.push(pod)
  }
  return {
    flow(client, port) {
      const f: UdpFlowRecord = { client, port, answered: 0, lost: 0, t: [], pod: [] }
      flows.push(f)
      return f
    },
    answered(client, flow, pod, intendedMs) {
      if (flow !== null) {
        let i = podIndex.get(pod)
        if (i === undefined) {
          i = podNames.push(pod) - 1
          podIndex.set(pod, i)
        }
        // Warm-up outcomes too: where a flow was pinned when the measured phase began.
        note(flow, intendedMs, i)
        if (intendedMs >= o.epochMs) flow.answered++
      }
      if (intendedMs < o.epochMs) return
      const c = (byClient[client] ??= {})
      c[pod] = (c[pod] ?? 0) + 1
    },
    lost(flow, intendedMs) {
      if (flow === null) return
      note(flow, intendedMs, -1)
      if (intendedMs >= o.epochMs) flow.lost++
    },
    result: () => ({ sourcePort: o.sourcePort, byClient, flows, podNames }),
  }
}
