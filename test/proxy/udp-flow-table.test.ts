/**
 * The UDP flow table against nf_conntrack_proto_udp.c and ip_vs_proto_udp.c, worked by hand:
 * every packet refreshes to now + the unreplied timeout until the entry has seen a reply; the
 * first reply itself is still timed as unreplied (IPS_SEEN_REPLY is set after the handler);
 * after it, packets within 2 s of the first one (`stream_ts`, `time_after` strict) keep the
 * unreplied timeout and later ones get the stream timeout, marking the entry ASSURED. IPVS:
 * every packet, either way, sets now + the UDP timeout.
 */
import { describe, expect, it } from 'vitest'
import { createUdpFlowTable, type UdpFlowTiming } from '../../harness/proxy/udp-flow-table.ts'

const CT: UdpFlowTiming = { kind: 'conntrack', unrepliedMs: 30_000, streamMs: 120_000 }
const IPVS: UdpFlowTiming = { kind: 'ipvs', udpMs: 300_000 }

type Step = [atMs: number, dir: 'orig' | 'reply']

/** Create at 0, then each step; the entry's expiry and ASSURED after the last. */
function run(timing: UdpFlowTiming, steps: Step[]) {
  let t = 0
  const table = createUdpFlowTable<string>({ timing, now: () => t })
  const f = table.create('10.0.0.1:5353', 'pod-1')
  for (const [at, dir] of steps) {
    t = at
    if (dir === 'orig') table.original(f)
    else table.reply(f)
  }
  return { expiresAtMs: f.expiresAtMs, assured: f.assured, seenReply: f.seenReply }
}

describe('createUdpFlowTable (conntrack timing)', () => {
  it.each([
    ['a new entry lives the unreplied timeout', [], { expiresAtMs: 30_000, assured: false, seenReply: false }],
    ['a query without a reply refreshes to now + unreplied', [[10_000, 'orig']], { expiresAtMs: 40_000, assured: false, seenReply: false }],
    ['the first reply is still timed as unreplied, not assured', [[1_000, 'reply']], { expiresAtMs: 31_000, assured: false, seenReply: true }],
    ['a packet after the reply within 2 s: unreplied timeout, assured', [[1_000, 'reply'], [1_500, 'orig']], { expiresAtMs: 31_500, assured: true, seenReply: true }],
    ['exactly 2 s after the first packet is not after stream_ts', [[1_000, 'reply'], [2_000, 'orig']], { expiresAtMs: 32_000, assured: true, seenReply: true }],
    ['after 2 s a replied entry is a stream', [[1_000, 'reply'], [2_500, 'orig']], { expiresAtMs: 122_500, assured: true, seenReply: true }],
    ['a second reply after 2 s is a stream too', [[100, 'reply'], [3_000, 'reply']], { expiresAtMs: 123_000, assured: true, seenReply: true }],
    ['a resolver query every second: stream from the third', [[1, 'reply'], [1_000, 'orig'], [1_001, 'reply'], [2_000, 'orig'], [2_001, 'reply']], { expiresAtMs: 122_001, assured: true, seenReply: true }],
    ['queries to a dead pod keep a stream entry alive', [[1, 'reply'], [5_000, 'orig'], [100_000, 'orig'], [200_000, 'orig']], { expiresAtMs: 320_000, assured: true, seenReply: true }],
  ] as [string, Step[], object][])('%s', (_name, steps, expected) => {
    expect(run(CT, steps)).toEqual(expected)
  })
})

describe('createUdpFlowTable (IPVS timing)', () => {
  it.each([
    ['a new entry lives the UDP timeout', [], 300_000],
    ['a reply refreshes it', [[100, 'reply']], 300_100],
    ['so does a later query', [[100, 'reply'], [200_000, 'orig']], 500_000],
  ] as [string, Step[], number][])('%s', (_name, steps, expiresAtMs) => {
    expect(run(IPVS, steps).expiresAtMs).toBe(expiresAtMs)
  })
})

describe('createUdpFlowTable lookups', () => {
  it('an entry is gone at its expiry (nf_ct_is_expired: timeout − now ≤ 0), and get reports the lapse', () => {
    let t = 0
    const lapsed: string[] = []
    const table = createUdpFlowTable<string>({ timing: CT, now: () => t, onLapse: (f) => lapsed.push(f.value) })
    table.create('a:1', 'pod-1')
    t = 29_999
    expect(table.get('a:1')?.value).toBe('pod-1')
    t = 30_000
    expect(table.get('a:1')).toBeUndefined()
    expect(lapsed).toEqual(['pod-1'])
    expect(table.size()).toBe(0)
  })

  it('sweep removes lapsed entries only; remove deletes the chosen live ones', () => {
    let t = 0
    const table = createUdpFlowTable<string>({ timing: CT, now: () => t })
    table.create('a:1', 'pod-1')
    t = 20_000
    table.create('b:2', 'pod-2')
    table.create('c:3', 'pod-3')
    t = 30_000
    expect(table.sweep().map((f) => f.key)).toEqual(['a:1'])
    expect(table.remove((f) => f.value === 'pod-2').map((f) => f.key)).toEqual(['b:2'])
    expect(table.get('c:3')?.value).toBe('pod-3')
  })
})
