/**
 * The kernel dataplane's accounting, pure: conntrack-tools' lines as conntrack 1.4.7 prints them
 * (copied from `conntrack -E -e NEW -o timestamp` and `conntrack -L` in a node namespace), and a
 * node's decisions from its endpoint counters and conntrack's reports.
 */
import { describe, expect, it } from 'vitest'
import { parseConntrackLine } from '../../../harness/dataplane/kernel/conntrack.ts'
import { nodeDecisions, type Decision, type NodeDecisionInput } from '../../../harness/dataplane/kernel/decisions.ts'

describe('parseConntrackLine', () => {
  it('reads an event: its time, state, the original tuple and the reply tuple (NAT applied)', () => {
    const line = '[1796119365.744751]\t    [NEW] tcp      6 120 SYN_SENT src=198.18.128.1 dst=198.18.0.1 sport=45148 dport=30080 [UNREPLIED] src=198.19.0.2 dst=198.18.128.1 sport=8080 dport=45148'
    expect(parseConntrackLine(line)).toEqual({
      atMs: 1796119365744,
      state: 'SYN_SENT',
      orig: { src: '198.18.128.1', dst: '198.18.0.1', sport: 45148, dport: 30080 },
      reply: { src: '198.19.0.2', dst: '198.18.128.1', sport: 8080, dport: 45148 },
    })
  })

  it('reads a listing line (no time) and skips what is not a TCP entry', () => {
    const line = 'tcp      6 114 ESTABLISHED src=198.18.128.3 dst=198.18.0.1 sport=50100 dport=30080 src=198.19.1.2 dst=198.18.0.1 sport=8080 dport=50100 [ASSURED] mark=0 use=1'
    expect(parseConntrackLine(line)).toMatchObject({ atMs: undefined, state: 'ESTABLISHED', reply: { src: '198.19.1.2', dst: '198.18.0.1' } })
    expect(parseConntrackLine('conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.')).toBeUndefined()
    expect(parseConntrackLine('udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=1')).toBeUndefined()
  })

  it('reads UDP entries when asked (a UDP Service: no state; a NEW event with its time), and skips TCP ones then', () => {
    const ev = '[1700000000.250000]\t    [NEW] udp      17 30 src=198.18.128.3 dst=198.18.0.1 sport=40001 dport=30080 [UNREPLIED] src=198.19.1.2 dst=198.18.0.1 sport=8080 dport=40001'
    expect(parseConntrackLine(ev, 'udp')).toEqual({ atMs: 1_700_000_000_250, state: 'UDP', orig: { src: '198.18.128.3', dst: '198.18.0.1', sport: 40001, dport: 30080 }, reply: { src: '198.19.1.2', dst: '198.18.0.1', sport: 8080, dport: 40001 } })
    expect(parseConntrackLine('tcp      6 114 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1', 'udp')).toBeUndefined()
  })
})

const d = (atMs: number, client: string, clientPort: number, pod: string): Decision => ({ atMs, client, clientPort, pod })
const base: NodeDecisionInput = { node: 'node-a', epochMs: 1000, established: [], made: [], countersAtEpoch: {}, countersNow: {} }

describe('nodeDecisions', () => {
  it('counts per pod the counters since the epoch plus the connections established at it', () => {
    const { stats, warnings } = nodeDecisions({
      ...base,
      established: [d(1001, 'c1', 40000, 'pod-1')],
      made: [d(1100, 'c2', 40001, 'pod-1'), d(1200, 'c2', 40002, 'pod-2'), d(1300, 'c3', 40003, 'pod-1'), d(1400, 'c3', 40004, 'pod-2'), d(1500, 'c1', 40005, 'pod-1')],
      countersAtEpoch: { 'pod-1': 5 },
      countersNow: { 'pod-1': 8, 'pod-2': 2 },
    })
    expect(warnings).toEqual([])
    expect(stats.byPod).toEqual({ 'pod-1': 4, 'pod-2': 2 })
    expect([stats.decisions, stats.connections]).toEqual([6, 6])
    expect(stats.byClient).toEqual({ c1: { 'pod-1': 2 }, c2: { 'pod-1': 1, 'pod-2': 1 }, c3: { 'pod-1': 1, 'pod-2': 1 } })
  })

  it('keeps each client\'s moves between pods in time order, the first decision included; the established count from the epoch', () => {
    const { stats } = nodeDecisions({ ...base, established: [d(900, 'c1', 1, 'pod-1')], made: [d(1200, 'c1', 2, 'pod-1'), d(1300, 'c1', 3, 'pod-2'), d(1400, 'c1', 4, 'pod-2')], countersNow: { 'pod-1': 1, 'pod-2': 2 } })
    expect(stats.clientPods).toEqual({ c1: [[1000, 'pod-1'], [1300, 'pod-2']] })
  })

  it('counts a connection established at the epoch that conntrack also reported as new after it once', () => {
    const { stats } = nodeDecisions({ ...base, established: [d(1005, 'c1', 7, 'pod-1')], made: [d(1002, 'c1', 7, 'pod-1')], countersNow: { 'pod-1': 1 } })
    expect([stats.decisions, stats.byClient.c1]).toEqual([1, { 'pod-1': 1 }])
  })

  it('counts a connection made between the epoch and the counters\' reading, which their difference cannot hold', () => {
    const { stats, warnings } = nodeDecisions({ ...base, made: [d(1002, 'c1', 1, 'pod-1'), d(1100, 'c1', 2, 'pod-2')], countersAtEpoch: { 'pod-1': 1 }, countersAtEpochMs: 1005, countersNow: { 'pod-1': 1, 'pod-2': 1 } })
    expect([stats.byPod, warnings]).toEqual([{ 'pod-1': 1, 'pod-2': 1 }, []])
  })

  it('says how many new connections conntrack did not report', () => {
    const { stats, warnings } = nodeDecisions({ ...base, made: [d(1100, 'c1', 1, 'pod-1'), d(1200, 'c1', 2, 'pod-1'), d(1300, 'c1', 3, 'pod-2')], countersNow: { 'pod-1': 3, 'pod-2': 2 } })
    expect(stats.byPod).toEqual({ 'pod-1': 3, 'pod-2': 2 })
    expect(warnings).toEqual(['node "node-a": conntrack reported 3 of the 5 new connections its rules counted; per-client counts and pod moves (stickiness) miss the other 2'])
  })

  it.each([
    { why: 'counters that went back', countersAtEpoch: { 'pod-1': 9 }, countersNow: { 'pod-1': 2 }, says: /went back/ },
    { why: 'counters that could not be read', countersAtEpoch: undefined, countersNow: { 'pod-1': 2 }, says: /could not be read/ },
  ])('falls back to conntrack\'s reports on $why, and says so', ({ countersAtEpoch, countersNow, says }) => {
    const { stats, warnings } = nodeDecisions({ ...base, made: [d(1100, 'c1', 1, 'pod-1')], countersAtEpoch, countersNow })
    expect(stats.byPod).toEqual({ 'pod-1': 1 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(says)
  })
})
