import { describe, expect, it } from 'vitest'
import { createLoadRecorder, type LoadRecorder } from '../../harness/load/recorder.ts'
import { combineLoads, mergeLoadResults } from '../../harness/load/merge.ts'
import { summarizeLatency } from '../../harness/stats/latency.ts'
import { decodeLoadResult, encodeLoadResult } from '../../harness/dataplane/kernel/wire.ts'
import { splitPlan } from '../../harness/dataplane/kernel/remote-load.ts'
import type { LoadResult } from '../../harness/model/measurements.ts'
import type { LoadPlan, RunningLoad } from '../../harness/load/types.ts'

const EPOCH = 1_000_000

/** Events as two load generators would see them (part 0 and part 1), each at a time since the epoch. */
const EVENTS: [part: number, dtMs: number, what: [status: number, latencyMs: number] | 'reset' | 'timeout'][] = [
  [0, -50, [200, 1]],
  [0, 10, [200, 2.5]],
  [1, 20, [200, 0.4]],
  [1, 120, [503, 7]],
  [0, 150, 'reset'],
  [1, 999, [200, 30]],
  [0, 1001, [200, 1.2]],
  [1, 1500, 'timeout'],
  [1, 2100, [404, 3]],
  [0, 2200, [200, 123.4567]],
]

function feed(r: LoadRecorder, events: typeof EVENTS): void {
  for (const [, dt, what] of events) {
    if (what === 'reset') r.transportError('reset', 'ECONNRESET', EPOCH + dt)
    else if (what === 'timeout') r.transportError('timeout', undefined, EPOCH + dt)
    else r.response(what[0], what[1], EPOCH + dt)
  }
}

/** A LoadResult with its histograms replaced by what they say, for comparison. */
function plain(r: LoadResult) {
  const { latency, perSecondHistograms, ...rest } = r
  return { ...rest, latency: [summarizeLatency(latency), latency.minNonZeroValue], perSecondHistograms: perSecondHistograms.map((h) => [summarizeLatency(h), h.minNonZeroValue]) }
}

describe('mergeLoadResults', () => {
  it('gives what one recorder fed every event would have measured (histograms added, client addresses of both)', () => {
    const parts = [0, 1].map((k) => {
      const r = createLoadRecorder({ epochMs: EPOCH })
      r.sourceAddress(`198.19.${k}.129`)
      feed(r, EVENTS.filter((e) => e[0] === k))
      // Through the IPC encoding, as the kernel dataplane's load children hand them back.
      return decodeLoadResult(encodeLoadResult(r.result(EPOCH + 2300 - k * 100, k === 1)))
    })
    const one = createLoadRecorder({ epochMs: EPOCH })
    for (const k of [0, 1]) one.sourceAddress(`198.19.${k}.129`)
    feed(one, EVENTS)
    const merged = mergeLoadResults(parts)
    expect(plain(merged)).toEqual({ ...plain(one.result(EPOCH + 2300, true)) })
    expect(merged.latency.totalCount).toBe(7)
  })
})

describe('combineLoads', () => {
  const running = (r: Partial<LoadResult> | Error, responses: number): RunningLoad & { stopped: boolean } => {
    const self = {
      stopped: false,
      progress: () => ({ responses, errors: 1, measured: { requests: responses, errors: 1 } }),
      stop: () => void (self.stopped = true),
      result: r instanceof Error ? Promise.reject(r) : Promise.resolve(r as LoadResult),
    }
    return self
  }
  it('adds the parts\' live counters', () => {
    const c = combineLoads([running(new Error('x'), 3), running(new Error('y'), 4)])
    c.result.catch(() => {})
    expect(c.progress()).toEqual({ responses: 7, errors: 2, measured: { requests: 7, errors: 2 } })
  })
  it('stops every part when one fails, and the failure stands', async () => {
    const ok = running({}, 1)
    ok.result = new Promise(() => {})
    const c = combineLoads([ok, running(new Error('the load generator in svb-x-c1 failed'), 1)])
    await expect(c.result).rejects.toThrow('the load generator in svb-x-c1 failed')
    expect(ok.stopped).toBe(true)
  })
})

describe('splitPlan', () => {
  const plan: LoadPlan = {
    targets: [{ host: '198.18.64.1', port: 80 }, { host: '198.18.64.1', port: 81 }, { host: '198.18.64.1', port: 82 }],
    clientAddresses: ['198.19.0.129', '198.19.1.129', '198.19.0.130'],
    connections: 7,
    durationMs: 100,
    keepAlive: true,
    path: '/',
    requestTimeoutMs: 1000,
    epochMs: EPOCH,
  }
  const netnsOf = (a: string) => (a.startsWith('198.19.0.') ? 'svb-x-c0' : a.startsWith('198.19.1.') ? 'svb-x-c1' : undefined)
  it('gives each namespace its connections, each with the address and target it had in the whole plan', () => {
    const parts = splitPlan(plan, netnsOf)
    // Connection i: address i mod 3, target i mod 3 (0..6 → addresses 0 1 2 0 1 2 0).
    expect(Object.fromEntries([...parts].map(([ns, p]) => [ns, { connections: p.connections, runNetns: p.runNetns, pairs: p.clientAddresses.map((a, j) => `${a}→${p.targets[j]!.port}`) }]))).toEqual({
      'svb-x-c0': { connections: 5, runNetns: 'svb-x-c0', pairs: ['198.19.0.129→80', '198.19.0.130→82', '198.19.0.129→80', '198.19.0.130→82', '198.19.0.129→80'] },
      'svb-x-c1': { connections: 2, runNetns: 'svb-x-c1', pairs: ['198.19.1.129→81', '198.19.1.129→81'] },
    })
  })
  it('splits a UDP load per client address (one resolver each, whatever plan.connections says), each with the target it had', () => {
    const udp = { ...plan, connections: 50, udp: { sourcePort: 'fixed' as const, queryBytes: 32 } }
    const parts = splitPlan(udp, netnsOf)
    expect(Object.fromEntries([...parts].map(([ns, p]) => [ns, p.clientAddresses.map((a, j) => `${a}→${p.targets[j]!.port}`)]))).toEqual({
      'svb-x-c0': ['198.19.0.129→80', '198.19.0.130→82'],
      'svb-x-c1': ['198.19.1.129→81'],
    })
  })
  it('shares the open model\'s rates out by entries (2 of 3 clients: 2/3 of each rate), each part on a seed of its own', () => {
    const open = { startRps: 300, stages: [{ durationMs: 0, targetRps: 600 }], arrival: 'poisson' as const, seed: 7, warmupRps: 150, maxConnections: 10 }
    const parts = splitPlan({ ...plan, open, udp: { sourcePort: 'per-query', queryBytes: 32 } }, netnsOf)
    const c0 = parts.get('svb-x-c0')!.open!
    const c1 = parts.get('svb-x-c1')!.open!
    expect([c0.startRps, c0.warmupRps, c0.stages[0]!.targetRps]).toEqual([200, 100, 400])
    expect([c1.startRps, c1.warmupRps, c1.stages[0]!.targetRps]).toEqual([100, 50, 200])
    expect(c0.seed).not.toBe(c1.seed)
    // TCP with keep-alive: by connections (5 of 7 and 2 of 7), the pool cap too (ceil(10·5/7) = 8, ceil(10·2/7) = 3).
    const tcp = splitPlan({ ...plan, open }, netnsOf)
    expect(tcp.get('svb-x-c0')!.open!.startRps).toBeCloseTo((300 * 5) / 7, 9)
    expect(tcp.get('svb-x-c1')!.open!.startRps).toBeCloseTo((300 * 2) / 7, 9)
    expect([tcp.get('svb-x-c0')!.open!.maxConnections, tcp.get('svb-x-c1')!.open!.maxConnections]).toEqual([8, 3])
    // Without keep-alive the executor cycles its addresses per request: by addresses (2 of 3, 1 of 3).
    const noKeepAlive = splitPlan({ ...plan, keepAlive: false, open }, netnsOf)
    expect([noKeepAlive.get('svb-x-c0')!.open!.startRps, noKeepAlive.get('svb-x-c1')!.open!.startRps]).toEqual([200, 100])
  })
  it('seeds each part from its place in the plan, not its namespace\'s (partly random) name; one namespace: the plan as it is', () => {
    const open = { startRps: 300, stages: [], arrival: 'poisson' as const, seed: 7, warmupRps: 150, maxConnections: 10 }
    const seeds = (suffix: string) => [...splitPlan({ ...plan, open }, (a) => { const ns = netnsOf(a); return ns === undefined ? undefined : `${ns}-${suffix}` }).values()].map((p) => p.open!.seed)
    expect(seeds('r1')).toEqual(seeds('r2'))
    const one = splitPlan({ ...plan, open }, () => 'svb-x-cl')
    expect([...one.keys()]).toEqual(['svb-x-cl'])
    expect(one.get('svb-x-cl')).toEqual({ ...plan, open, runNetns: 'svb-x-cl' })
  })
  it('refuses an address no namespace of the run has', () => {
    expect(() => splitPlan({ ...plan, clientAddresses: ['203.0.113.9'] }, netnsOf)).toThrow(/refusing source address 203\.0\.113\.9: no client namespace of the run has it/)
  })
})
