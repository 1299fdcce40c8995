/**
 * The verify cross-check on fixture results (one variant of test/fixtures/results, its figures
 * changed per case): each figure agrees, differs, is a known difference or is not compared, for
 * the reason its test or tolerance gives.
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compareRuns, compareVariant, podsPerClientHistogram } from '../../harness/stats/cross-check.ts'
import { twoSampleTest } from '../../harness/stats/two-sample.ts'
import { DETECTION_SLACK_SEC, KNOWN_DIFFERENCES } from '../../harness/stats/cross-check-errors.ts'
import { endpointsDetail } from '../../harness/stats/timeline.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'
import type { ErrorKind, FailoverResult } from '../../harness/model/variant-parts.ts'
import type { UdpFailover } from '../../harness/model/udp-results.ts'
import type { VerifyFigure } from '../../harness/model/verify.ts'

const FIXTURE = JSON.parse(fs.readFileSync(new URL('../fixtures/results/pod-crash-3-variants.json', import.meta.url), 'utf8')) as RunResult
const NO_ERRORS: Record<ErrorKind, number> = { 'connect-refused': 0, reset: 0, timeout: 0, 'http-5xx': 0, other: 0 }
const OPTS = { probePeriodSeconds: 2 }

/** The fixture's first variant without faults, events or errors. */
function base(): VariantResult {
  const v = structuredClone(FIXTURE.variants[0]!)
  v.failover = []
  v.events = []
  v.errors.byKind = { ...NO_ERRORS }
  v.timeline = v.timeline.map((p) => ({ ...p, errors: 0, errorsByKind: { ...NO_ERRORS } }))
  return v
}
const withDecisions = (v: VariantResult, counts: number[]) => (v.pods.forEach((p, i) => (p.decisions = counts[i] ?? 0)), v)
/** One kill-pod fault at 3 s (the fixture's), with these errors and this detection time. */
function withFault(v: VariantResult, errors: Partial<Record<ErrorKind, number>>, detectionSec: number | null = 3): VariantResult {
  const f = structuredClone(FIXTURE.variants[0]!.failover[0]!) as FailoverResult
  v.failover = [{ ...f, errors: { ...NO_ERRORS, ...errors }, detectionSec, detectedAtSec: detectionSec === null ? null : f.atSec + detectionSec }]
  return v
}
const figure = (figures: VerifyFigure[], name: VerifyFigure['figure']) => figures.find((f) => f.figure === name)!

describe('compareVariant', () => {
  it('finds a variant in agreement with itself, figure by figure', () => {
    const r = compareVariant(base(), base(), OPTS)
    expect(r.figures.map((f) => [f.figure, f.verdict])).toEqual([
      ['split', 'agrees'], ['clientsOnOnePod', 'agrees'], ['podsPerClient', 'agrees'], ['sourceAddresses', 'agrees'], ['errors', 'agrees'],
    ])
    expect(figure(r.figures, 'split').p).toBeCloseTo(1, 12)
    expect(r.verdict).toBe('agrees')
  })

  it.each([
    { name: 'a skewed split differs', proxy: [250, 250, 250, 250], kernel: [400, 200, 200, 200], verdict: 'differs' },
    { name: 'a sample of the same split agrees', proxy: [250, 250, 250, 250], kernel: [240, 262, 251, 247], verdict: 'agrees' },
    { name: 'too few decisions are not compared', proxy: [1, 2, 1, 0], kernel: [0, 1, 2, 1], verdict: 'not-compared' },
    { name: 'no decision on one side differs', proxy: [25, 25, 25, 25], kernel: [0, 0, 0, 0], verdict: 'differs' },
  ])('split: $name', ({ proxy, kernel, verdict }) => {
    expect(figure(compareVariant(withDecisions(base(), proxy), withDecisions(base(), kernel), OPTS).figures, 'split').verdict).toBe(verdict)
  })

  it('does not compare the split of a variant with faults (who takes traffic changes when each side notices)', () => {
    const f = figure(compareVariant(withFault(base(), {}), withFault(withDecisions(base(), [400, 200, 200, 200]), {}), OPTS).figures, 'split')
    expect(f.verdict).toBe('not-compared')
    expect(f.basis).toMatch(/1 fault changed who could take traffic/)
  })

  it('clients on one pod: Fisher\'s exact test where χ² has too few, χ² otherwise', () => {
    const stick = (v: VariantResult, on: number, clients: number) => ((v.stickiness = { ...v.stickiness, clients, clientsOnOnePod: on }), v)
    // [[3, 1], [1, 3]]: Fisher's p = 34/70.
    const small = figure(compareVariant(stick(base(), 3, 4), stick(base(), 1, 4), OPTS).figures, 'clientsOnOnePod')
    expect(small.basis).toMatch(/^Fisher's exact test/)
    expect(small.p).toBeCloseTo(34 / 70, 10)
    expect(small.verdict).toBe('agrees')
    // Every client on one pod against 20 of 32: affinity lost on one side.
    expect(figure(compareVariant(stick(base(), 32, 32), stick(base(), 20, 32), OPTS).figures, 'clientsOnOnePod').verdict).toBe('differs')
  })

  it('source addresses must be equal: client addresses kept against SNAT differs', () => {
    const local = base()
    local.sourceAddresses = { clientAddressesSeen: 32, nodeAddressesSeen: 0 }
    const cluster = base()
    cluster.sourceAddresses = { clientAddressesSeen: 0, nodeAddressesSeen: 2 }
    const f = figure(compareVariant(local, cluster, OPTS).figures, 'sourceAddresses')
    expect([f.verdict, f.proxy, f.kernel]).toEqual(['differs', '32 client, 0 node addresses (client addresses kept)', '0 client, 2 node addresses (SNAT to node addresses)'])
  })
})

describe('compareVariant: errors per fault window and detection', () => {
  // The fixture's window runs from 3.005 s to the end (10.063 s) at about 3,400 requests a second:
  // 3,300 failed requests are about 14% of it.
  it.each([
    { name: 'the same kinds and shares agree', proxy: { reset: 3300 }, kernel: { reset: 3000 }, events: [], verdict: 'agrees', explainedBy: undefined },
    { name: 'reset through the proxy, refused through kernel NAT: a known difference', proxy: { reset: 3300 }, kernel: { 'connect-refused': 2900, reset: 10 }, events: [], verdict: 'known-difference', explainedBy: KNOWN_DIFFERENCES.refusedOrReset },
    { name: 'the same kinds at shares more than ×2 apart differ', proxy: { reset: 3300 }, kernel: { reset: 500 }, events: [], verdict: 'differs', explainedBy: undefined },
    { name: 'known kinds at shares more than ×2 apart differ', proxy: { reset: 3300 }, kernel: { 'connect-refused': 500 }, events: [], verdict: 'differs', explainedBy: undefined },
    { name: 'timeouts against resets without REJECT differ', proxy: { reset: 3300 }, kernel: { 'connect-refused': 3000, timeout: 40 }, events: [], verdict: 'differs', explainedBy: undefined },
    {
      name: 'after the last endpoint went (REJECT), rate-limited refusals and timeouts are a known difference',
      proxy: { 'connect-refused': 30_000, reset: 900 }, kernel: { 'connect-refused': 60, timeout: 20 },
      events: [{ tSec: 5, type: 'endpoints-updated' as const, detail: endpointsDetail([], []) }],
      verdict: 'known-difference', explainedBy: `${KNOWN_DIFFERENCES.refusedOrReset}; ${KNOWN_DIFFERENCES.rejectRateLimit}`,
    },
    {
      name: 'REJECT does not excuse a kind the proxy has and the kernel has not',
      proxy: { 'connect-refused': 30_000, 'http-5xx': 5 }, kernel: { 'connect-refused': 60 },
      events: [{ tSec: 5, type: 'endpoints-updated' as const, detail: endpointsDetail([], []) }],
      verdict: 'differs', explainedBy: undefined,
    },
  ])('$name', ({ proxy, kernel, events, verdict, explainedBy }) => {
    const k = withFault(base(), kernel)
    k.events = events
    const f = figure(compareVariant(withFault(base(), proxy), k, OPTS).figures, 'errors')
    expect(f.window).toBe('kill-pod pod-2 at 3.0s')
    expect(f.verdict).toBe(verdict)
    expect(f.explainedBy).toBe(explainedBy)
  })

  it('a dead node: refusals through the proxy against timeouts in the kernel are a known difference, in a kill-node window only', () => {
    const killNode = (v: VariantResult) => ((v.failover[0]!.fault = 'kill-node'), v)
    const f = figure(compareVariant(killNode(withFault(base(), { 'connect-refused': 39_000, reset: 2000 })), killNode(withFault(base(), { timeout: 40 })), OPTS).figures, 'errors')
    expect([f.verdict, f.explainedBy]).toEqual(['known-difference', KNOWN_DIFFERENCES.deadNode])
    expect(figure(compareVariant(withFault(base(), { 'connect-refused': 39_000 }), withFault(base(), { timeout: 40 }), OPTS).figures, 'errors').verdict).toBe('differs')
    expect(figure(compareVariant(killNode(withFault(base(), { 'http-5xx': 10 })), killNode(withFault(base(), { timeout: 40 })), OPTS).figures, 'errors').verdict).toBe('differs')
  })

  it('without faults, the whole run is one window', () => {
    const k = base()
    k.errors.byKind = { ...NO_ERRORS, timeout: 12 }
    const f = figure(compareVariant(base(), k, OPTS).figures, 'errors')
    expect([f.window, f.verdict, f.basis]).toEqual(['whole run', 'differs', 'different error kinds'])
  })

  it.each([
    { name: 'within one probe period plus the slack', proxy: 3, kernel: 3 + 2 + DETECTION_SLACK_SEC - 0.01, verdict: 'agrees' },
    { name: 'beyond it', proxy: 3, kernel: 3 + 2 + DETECTION_SLACK_SEC + 0.01, verdict: 'differs' },
    { name: 'on one side only', proxy: 3, kernel: null, verdict: 'differs' },
    { name: 'on neither side', proxy: null, kernel: null, verdict: 'agrees' },
  ])('detection times: $name', ({ proxy, kernel, verdict }) => {
    const f = figure(compareVariant(withFault(base(), {}, proxy), withFault(base(), {}, kernel), OPTS).figures, 'detection')
    expect(f.verdict).toBe(verdict)
  })
})

describe('podsPerClientHistogram and twoSampleTest', () => {
  it('counts clients by the pods they reached', () => {
    const v = base()
    v.stickiness.matrix = [
      { client: 'a', pod: 'pod-1', decisions: 3 }, { client: 'a', pod: 'pod-2', decisions: 1 },
      { client: 'b', pod: 'pod-1', decisions: 5 },
      { client: 'c', pod: 'pod-3', decisions: 1 }, { client: 'c', pod: 'pod-4', decisions: 0 },
    ]
    expect(podsPerClientHistogram(v)).toEqual([2, 1])
  })

  it('says why it cannot test', () => {
    expect(twoSampleTest([1, 1, 1, 1], [1, 1, 1, 1])).toEqual({ p: null, basis: expect.stringMatching(/^too few for a χ² test \(Cochran's rule/) })
    expect(twoSampleTest([5, 0], [7, 0])).toMatchObject({ p: 1, trivial: true })
  })
})

describe('compareRuns', () => {
  it('judges detection with each variant\'s probe period and differs when one variant does', () => {
    const proxy = structuredClone(FIXTURE)
    const kernel = structuredClone(FIXTURE)
    proxy.variants = [withFault(base(), {}, 3)]
    kernel.variants = [withFault(base(), {}, 4.5)]
    // The fixture's probe: periodSeconds 2, so 1.5 s apart agrees.
    const r = compareRuns(proxy, kernel, { results: { proxy: 'proxy/results.json', kernel: 'kernel/results.json' }, file: 'x.ts' })
    expect(r.verdict).toBe('agrees')
    proxy.resolved[0]!.cluster.readinessProbe.periodSeconds = 1
    expect(compareRuns(proxy, kernel, { results: r.results, file: 'x.ts' }).verdict).toBe('differs')
  })
})

describe('compareVariant: a UDP Service', () => {
  const NO_UDP_FAULT: UdpFailover = { flowsOnDeadEndpoint: 0, flowsStuck: 0, queriesLost: 0, lastLostSec: null, flowsMoved: 0, lastMovedAtSec: null, flowsBackOnSamePod: 0, flowsNeverAnswered: 0 }
  /** The fixture's variant as a UDP Service's, `onOne` of its `clients` answered by one pod only. */
  function udp(onOne = 32, clients = 32): VariantResult {
    const v = base()
    const client = (i: number) => ({ client: `127.0.0.${i + 1}`, pods: i < onOne ? ['pod-1'] : ['pod-1', 'pod-2'], answered: 10, lost: 0 })
    v.fairness = { ...v.fairness, unit: 'flows' }
    v.udp = { sourcePort: 'fixed', flows: clients, pods: v.pods.map((p) => ({ name: p.name, queriesAnswered: 100, flows: 8 })), clients: Array.from({ length: clients }, (_, i) => client(i)), clientsOnOnePod: onOne }
    return v
  }
  /** The fixture's kill of pod-2 at 3.005 s, with this UDP cost (and these errors). */
  function udpFault(v: VariantResult, u: Partial<UdpFailover>, errors: Partial<Record<ErrorKind, number>> = {}): VariantResult {
    withFault(v, errors)
    v.failover[0]!.udp = { ...NO_UDP_FAULT, ...u }
    return v
  }
  /** `stuck` flows, all moved, their last lost query `lengthSec` after the fault. */
  const stuckFor = (lengthSec: number, stuck = 8): Partial<UdpFailover> => ({ flowsOnDeadEndpoint: stuck, flowsStuck: stuck, flowsMoved: stuck, queriesLost: stuck * 10, lastLostSec: 3.005 + lengthSec })
  const NONE_1S = { probePeriodSeconds: 2, udp: { cleanup: 'none' as const, udpTimeoutMs: 1000, udpStreamTimeoutMs: 1000 } }
  const CLEANUP = { probePeriodSeconds: 2, udp: { cleanup: 'kube-proxy' as const, udpTimeoutMs: 1000, udpStreamTimeoutMs: 1000 } }

  it('speaks of flows and the queries\' source addresses, and adds the clients\' view; a TCP Service has no UDP figure', () => {
    const r = compareVariant(udp(), udp(), OPTS)
    expect(r.figures.map((f) => f.figure)).toEqual(['split', 'clientsOnOnePod', 'podsPerClient', 'sourceAddresses', 'clientsAnsweredByOnePod', 'errors'])
    expect(figure(r.figures, 'split').proxy).toMatch(/ flows\)$/)
    expect(figure(r.figures, 'sourceAddresses').basis).toMatch(/seen as the queries' source address by the pods/)
    expect(compareVariant(udpFault(base(), stuckFor(1)), udpFault(base(), stuckFor(1)), OPTS).figures.map((f) => f.figure)).not.toContain('flowsStuck')
  })

  it.each([
    // Every client on one pod on both sides: nothing to test.
    { name: 'every client on one pod on both sides agrees', proxy: [32, 32], kernel: [32, 32], verdict: 'agrees', p: undefined },
    // [[8, 24], [10, 22]]: column totals 18 and 46, expected 9 and 23 a row; X² = 2·(1/9 + 1/23) = 0.309, p = 0.578.
    { name: 'a sample of the same share agrees (χ²)', proxy: [8, 32], kernel: [10, 32], verdict: 'agrees', p: 0.578 },
    // [[32, 0], [8, 24]]: expected 20 and 12 a row; X² = 2·(144/20 + 144/12) = 38.4, p ≈ 6e-10.
    { name: 'pinned clients against clients that wander differ', proxy: [32, 32], kernel: [8, 32], verdict: 'differs', p: 0 },
    { name: 'no client answered on either side is not compared', proxy: [0, 0], kernel: [0, 0], verdict: 'not-compared', p: undefined },
  ])('clients answered by one pod: $name', ({ proxy, kernel, verdict, p }) => {
    const f = figure(compareVariant(udp(proxy[0], proxy[1]), udp(kernel[0], kernel[1]), OPTS).figures, 'clientsAnsweredByOnePod')
    expect(f.verdict).toBe(verdict)
    if (p !== undefined) expect(f.p).toBeCloseTo(p, 3)
  })

  it.each([
    { name: 'every flow on the dead pod stuck, on both sides, agrees', proxy: { flowsOnDeadEndpoint: 8, flowsStuck: 8 }, kernel: { flowsOnDeadEndpoint: 10, flowsStuck: 10 }, verdict: 'agrees', p: undefined },
    // [[2, 4], [7, 0]]: margins 6, 7 and 9, 4; P(top-left = x) = C(6,x)·C(7,9−x)/C(13,9) for x = 2…6:
    // 15, 140, 315, 210, 35 (/715); the observed x = 2 is the least likely: p = 15/715.
    { name: 'a few flows not stuck on one side agree by Fisher\'s exact test', proxy: { flowsOnDeadEndpoint: 6, flowsStuck: 2 }, kernel: { flowsOnDeadEndpoint: 7, flowsStuck: 7 }, verdict: 'agrees', p: 15 / 715 },
    // [[8, 0], [0, 10]]: P = 1/C(18,8) = 1/43758; the other extreme, x = 0, has C(10,8)/C(18,8) = 45/43758.
    { name: 'stuck flows on one side and none on the other differ', proxy: { flowsOnDeadEndpoint: 8, flowsStuck: 8 }, kernel: { flowsOnDeadEndpoint: 10, flowsStuck: 0 }, verdict: 'differs', p: 1 / 43758 },
    { name: 'no flow on the dead pod on one side is not compared', proxy: { flowsOnDeadEndpoint: 8, flowsStuck: 8 }, kernel: { flowsOnDeadEndpoint: 0, flowsStuck: 0 }, verdict: 'not-compared', p: undefined },
  ])('flows stuck on the dead endpoint: $name', ({ proxy, kernel, verdict, p }) => {
    const f = figure(compareVariant(udpFault(udp(), proxy), udpFault(udp(), kernel), CLEANUP).figures, 'flowsStuck')
    expect([f.window, f.verdict]).toEqual(['kill-pod pod-2 at 3.0s', verdict])
    if (p !== undefined) expect(f.p).toBeCloseTo(p, 10)
  })

  it.each([
    { name: 'all moved on both sides agrees', proxy: { flowsMoved: 8 }, kernel: { flowsMoved: 10 }, verdict: 'agrees', p: undefined },
    // [[8, 0, 0], [0, 0, 10]]: two columns left, Fisher's [[8, 0], [0, 10]]: p = 1/43758.
    { name: 'moved against never answered differs', proxy: { flowsMoved: 8 }, kernel: { flowsNeverAnswered: 10 }, verdict: 'differs', p: 1 / 43758 },
    // [[20, 20, 0], [20, 0, 20]]: expected 20, 10, 10 a row; X² = 0 + 2·100/10 + 2·100/10 = 40, df 2, p = e^−20.
    { name: 'back on the same pod against never answered differs (χ², 2×3)', proxy: { flowsMoved: 20, flowsBackOnSamePod: 20 }, kernel: { flowsMoved: 20, flowsNeverAnswered: 20 }, verdict: 'differs', p: Math.exp(-20) },
  ])('stuck flows\' fates: $name', ({ proxy, kernel, verdict, p }) => {
    const stuck = (u: Partial<UdpFailover>) => ({ ...u, flowsOnDeadEndpoint: 40, flowsStuck: (u.flowsMoved ?? 0) + (u.flowsBackOnSamePod ?? 0) + (u.flowsNeverAnswered ?? 0) })
    const f = figure(compareVariant(udpFault(udp(), stuck(proxy)), udpFault(udp(), stuck(kernel)), CLEANUP).figures, 'stuckFlowFates')
    expect(f.verdict).toBe(verdict)
    if (p !== undefined) expect(f.p).toBeCloseTo(p, 12)
  })

  it('a fault that names no pod (scale, rolling update) and per-query source ports (no flow to follow) have no fault figures', () => {
    const scale = (v: VariantResult) => ((v.failover[0]!.pods = []), v)
    expect(compareVariant(scale(udpFault(udp(), {})), scale(udpFault(udp(), {})), CLEANUP).figures.map((f) => f.figure)).not.toContain('flowsStuck')
    const perQuery = (v: VariantResult) => ((v.failover[0]!.udp = null), v)
    expect(compareVariant(perQuery(udpFault(udp(), {})), perQuery(udpFault(udp(), {})), CLEANUP).figures.map((f) => f.figure)).not.toContain('blackhole')
  })

  it('stuck flows\' fates are not compared when one side has none stuck', () => {
    const f = figure(compareVariant(udpFault(udp(), { flowsOnDeadEndpoint: 8, flowsStuck: 8, flowsMoved: 8 }), udpFault(udp(), { flowsOnDeadEndpoint: 8 }), CLEANUP).figures, 'stuckFlowFates')
    expect([f.verdict, f.basis]).toEqual(['not-compared', 'no flow stuck on the kernel side: no fate to compare'])
  })

  it.each([
    // With cleanup the blackhole ends at each side's endpoint update: one probe period (2 s) + 0.25 s.
    { name: 'cleanup: 0.5 s against 2.7 s, 2.2 s apart, agrees', opts: CLEANUP, proxy: stuckFor(0.5), kernel: stuckFor(2.7), verdict: 'agrees' },
    { name: 'cleanup: 0.5 s against 2.8 s, 2.3 s apart, differs', opts: CLEANUP, proxy: stuckFor(0.5), kernel: stuckFor(2.8), verdict: 'differs' },
    { name: 'cleanup: no flow stuck (0 s) against 1 s agrees', opts: CLEANUP, proxy: { flowsOnDeadEndpoint: 8 }, kernel: stuckFor(1), verdict: 'agrees' },
    // Without cleanup it ends when the entries expire: one timeout (1 s) + 0.25 s.
    { name: 'no cleanup: 1.7 s on both sides agrees', opts: NONE_1S, proxy: stuckFor(1.7), kernel: stuckFor(1.7), verdict: 'agrees' },
    { name: 'no cleanup: 2.9 s against 1.7 s (1.2 s apart) agrees', opts: NONE_1S, proxy: stuckFor(2.9), kernel: stuckFor(1.7), verdict: 'agrees' },
    { name: 'no cleanup: entries that never expired (7 s) against 1.7 s differ', opts: NONE_1S, proxy: stuckFor(7), kernel: stuckFor(1.7), verdict: 'differs' },
    // The kernel's defaults, 30 s and 120 s: the stale entry's timeout may be the stream one.
    { name: 'no cleanup, the default timeouts: 60 s against 1.7 s agrees', opts: { probePeriodSeconds: 2, udp: { cleanup: 'none' as const, udpTimeoutMs: 30_000, udpStreamTimeoutMs: 120_000 } }, proxy: stuckFor(60), kernel: stuckFor(1.7), verdict: 'agrees' },
    { name: 'no flow on the dead pod on one side is not compared', opts: NONE_1S, proxy: stuckFor(1.7), kernel: {}, verdict: 'not-compared' },
  ])('blackhole: $name', ({ opts, proxy, kernel, verdict }) => {
    const f = figure(compareVariant(udpFault(udp(), proxy), udpFault(udp(), kernel), opts).figures, 'blackhole')
    expect(f.verdict).toBe(verdict)
  })

  it('blackhole: kube-proxy deletes nothing while no endpoint serves, so the window takes the timeout too', () => {
    // Timeouts 5 s: the tolerance is max(5, 2) + 0.25 s with no endpoint left, 2.25 s otherwise.
    const opts = { probePeriodSeconds: 2, udp: { cleanup: 'kube-proxy' as const, udpTimeoutMs: 5000, udpStreamTimeoutMs: 5000 } }
    const proxy = udpFault(udp(), stuckFor(0.5))
    const kernel = udpFault(udp(), stuckFor(5))
    expect(figure(compareVariant(proxy, kernel, opts).figures, 'blackhole').verdict).toBe('differs')
    kernel.events = [{ tSec: 4, type: 'endpoints-updated', detail: endpointsDetail([], []) }]
    const f = figure(compareVariant(proxy, kernel, opts).figures, 'blackhole')
    expect([f.verdict, f.basis]).toEqual(['agrees', expect.stringMatching(/^4\.50 s apart; the Service was left with no serving endpoint/)])
    expect(f.proxy).toBe('0.50 s (last lost query at 3.50 s), 10.0 queries lost per stuck flow')
  })

  it.each([
    // The fixture's window (3.005 s to the end at about 3,400 requests a second): 3,300 and 1,000
    // lost queries are about 14% and 4%, more than ×2 apart, but all of them the stuck flows'.
    { name: 'the stuck flows\' lost queries are left out of the shares', proxy: [3300, 3300], kernel: [1000, 1000], verdict: 'agrees' },
    { name: 'other failed queries are still compared', proxy: [3300, 100], kernel: [1000, 1000], verdict: 'differs' },
  ])('errors of a UDP fault window: $name', ({ proxy, kernel, verdict }) => {
    const side = ([timeouts, lost]: number[]) => udpFault(udp(), { ...stuckFor(1), queriesLost: lost! }, { timeout: timeouts! })
    const f = figure(compareVariant(side(proxy), side(kernel), CLEANUP).figures, 'errors')
    expect(f.verdict).toBe(verdict)
    expect(f.basis).toMatch(/the stuck flows' lost queries \(\d+ and \d+\) left out/)
  })
})
