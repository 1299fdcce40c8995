/**
 * The UDP executor's own bookkeeping beside the recorder's: which pod answered each client (every
 * answer names its pod) and, with fixed source ports, each flow's history: when its pod changed
 * and the runs of queries it lost. Failover statistics read it to tell the flows stuck on a dead
 * endpoint from the rest, and when each moved. No sockets, no clock: times are passed in.
 */
import { MAX_FLOW_EVENTS, type UdpFlowRecord, type UdpLoadResult } from '../model/measurements.ts'

/** One flow's record under way. */
export interface FlowTally {
  rec: UdpFlowRecord
  /** The last answer's pod ('' before any). */
  lastPod: string
  /** The run of losses under way (no answer since its first), else null. */
  run: [number, number, number] | null
}

/** Options for {@link createUdpTally}. */
export interface UdpTallyOptions {
  /** Start of the measured phase (Date.now() ms): earlier answers and losses are warm-up. */
  epochMs: number
  sourcePort: UdpLoadResult['sourcePort']
}

/** What the executor tells the tally. Times are Date.now() ms. */
export interface UdpTally {
  /** The record of a fixed socket (client address and its port). */
  flow(client: string, port: number): FlowTally
  /** Query intended at `intendedMs` from `client` (its flow's record, with fixed ports) was answered by `pod` at `atMs`. */
  answered(client: string, flow: FlowTally | null, pod: string, intendedMs: number, atMs: number): void
  /** Query intended at `intendedMs` on `flow` got no answer in time. */
  lost(flow: FlowTally | null, intendedMs: number): void
  result(): UdpLoadResult
}

/** A fresh tally. */
export function createUdpTally(o: UdpTallyOptions): UdpTally {
  const byClient: UdpLoadResult['byClient'] = {}
  const flows: FlowTally[] = []
  const rel = (ms: number) => Math.round((ms - o.epochMs) * 10) / 10
  return {
    flow(client, port) {
      const f: FlowTally = { rec: { client, port, pods: [], answered: 0, lost: 0, lostRuns: [] }, lastPod: '', run: null }
      flows.push(f)
      return f
    },
    answered(client, flow, pod, intendedMs, atMs) {
      if (flow !== null) {
        // A flow's pod history spans the warm-up too (where it was pinned when the measured phase began), at time 0 at the latest.
        if (pod !== flow.lastPod && flow.rec.pods.length < MAX_FLOW_EVENTS) flow.rec.pods.push([Math.max(0, rel(atMs)), pod])
        flow.lastPod = pod
        flow.run = null
        if (intendedMs >= o.epochMs) flow.rec.answered++
      }
      if (intendedMs < o.epochMs) return
      const c = (byClient[client] ??= {})
      c[pod] = (c[pod] ?? 0) + 1
    },
    lost(flow, intendedMs) {
      if (flow === null || intendedMs < o.epochMs) return
      flow.rec.lost++
      const t = rel(intendedMs)
      if (flow.run !== null) {
        flow.run[1] = t
        flow.run[2]++
      } else if (flow.rec.lostRuns.length < MAX_FLOW_EVENTS) {
        flow.run = [t, t, 1]
        flow.rec.lostRuns.push(flow.run)
      }
    },
    result: () => ({ sourcePort: o.sourcePort, byClient, flows: flows.map((f) => f.rec) }),
  }
}
