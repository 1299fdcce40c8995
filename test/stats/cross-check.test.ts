/**
 * The verify cross-check on fixture results (one variant of test/fixtures/results, its figures
 * changed per case): each figure agrees, differs, is a known difference or is not compared, for
 * the reason its test or tolerance gives.
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { compareRuns, compareVariant, podsPerClientHistogram, twoSampleTest } from '../../harness/stats/cross-check.ts'
import { DETECTION_SLACK_SEC, KNOWN_DIFFERENCES } from '../../harness/stats/cross-check-errors.ts'
import { endpointsDetail } from '../../harness/stats/timeline.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'
import type { ErrorKind, FailoverResult } from '../../harness/model/variant-parts.ts'
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
