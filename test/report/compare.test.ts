/**
 * compareRuns on small hand-built results: variant matching (by name, by position with a note,
 * unmatched listed), every change worked by hand against the rule (compare-metrics.ts
 * CHANGE_RULE), the findings' sentences, the configuration notes, and overlayResult.
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { compareRuns, comparisonLabels, matchVariants, overlayResult } from '../../harness/report/compare.ts'
import { formatChange, formatValue, type MetricDiff } from '../../harness/report/compare-metrics.ts'
import { buildCharts } from '../../harness/report/write.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'

interface Figures {
  rps?: number
  p50?: number
  p99?: number
  errorRate?: number
  jain?: number
  shares?: number[]
  detectionSec?: number | null
}

/** A variant with just the fields the comparison reads. */
function variant(name: string, f: Figures = {}): VariantResult {
  const shares = f.shares ?? [0.5, 0.5]
  const v = {
    name, balancer: 'round-robin', alias: null, dataplane: 'proxy', proxyMode: 'iptables', ipvsScheduler: null, ipvsFlags: [], sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', balancing: 'connection',
    durationSec: 10, countedBy: 'pods', interrupted: false,
    load: { model: 'closed', connections: 10, ratesRps: [], arrival: null, keepAlive: true, requestTimeoutMs: 2000, scheduleLagMs: null },
    requests: { total: 10_000, ok: 10_000, rps: f.rps ?? 1000, okRps: f.rps ?? 1000, podSide: 10_000 },
    errors: { total: 0, rate: f.errorRate ?? 0, byKind: {}, byCode: {} },
    latencyMs: { p50: f.p50 ?? 1, p90: 2, p99: f.p99 ?? 4, p999: 5, max: 6, mean: 1, count: 10_000, curve: [] },
    pods: shares.map((s, i) => ({ name: `pod-${i + 1}`, node: 'node-a', address: `127.0.2.${i + 1}`, requests: Math.round(s * 10_000), connections: 5, errors5xx: 0, share: s, expectedShare: null, decisions: 5, weight: 1 })),
    nodes: [],
    fairness: { jain: f.jain ?? 1, cov: 0, maxOverMean: 1, unit: 'connections', decisions: [], expectedShares: null, chiSquaredP: null, fitsPrediction: null, basis: '' },
    failover: f.detectionSec === undefined ? [] : [{ fault: 'kill-pod', target: 'pod-2', pods: ['pod-2'], atSec: 3, detectedAtSec: f.detectionSec === null ? null : 3 + f.detectionSec, detectionSec: f.detectionSec, requestsLost: 100 }],
    loadBalancer: null, cpu: null, calibration: null, normalized: null,
    trials: [],
    warnings: [],
  }
  return v as unknown as VariantResult
}

/** A run of `variants`, on a 2-CPU machine unless `extra` says otherwise. */
function run(variants: VariantResult[], extra: Partial<RunResult> = {}): RunResult {
  return {
    schemaVersion: 1, scenario: { name: 'lb', description: '', file: undefined, manifests: undefined }, seed: 1, startedAt: '2026-11-26T08:00:00.000Z', finishedAt: '2026-11-26T08:01:00.000Z', interrupted: false,
    versions: { svcbench: '0.1.0', node: 'v20.20.2', autocannon: '9.0.0', undici: '7.30.2' },
    machine: { cpus: 2, cpuModel: 'AMD EPYC', platform: 'linux', arch: 'x64', totalMemoryBytes: 25e9 },
    addressBlock: '127.42.0.0/16', warnings: [], resolved: variants.map((v) => ({ name: v.name }) as RunResult['resolved'][number]), variants, trials: 1, aborted: null,
    ...extra,
  }
}

const metric = (d: readonly MetricDiff[], label: string) => d.find((x) => x.label === label) as MetricDiff

describe('matchVariants and compareRuns: which variants are compared', () => {
  it.each([
    ['by name, unmatched listed', ['x', 'y'], ['y', 'z'], 'name', [['y', 'y']], ['x'], ['z']],
    ['by position when no name is shared and the counts match', ['x', 'y'], ['p', 'q'], 'position', [['x', 'p'], ['y', 'q']], [], []],
    ['not at all when no name is shared and the counts differ', ['x'], ['p', 'q'], 'none', [], ['x'], ['p', 'q']],
  ] as const)('%s', (_, as, bs, by, pairs, onlyA, onlyB) => {
    const a = run(as.map((n) => variant(n)))
    const b = run(bs.map((n) => variant(n)), { startedAt: '2026-11-27T08:00:00.000Z' })
    const m = matchVariants(a, b)
    expect([m.by, m.pairs.map(([x, y]) => [x.name, y.name]), m.onlyA, m.onlyB]).toEqual([by, pairs, onlyA, onlyB])
    const cmp = compareRuns(a, b, ['a', 'b'])
    expect(cmp.matchedBy).toBe(by)
    expect(cmp.unmatched).toEqual({ a: onlyA, b: onlyB })
    if (by === 'position') expect(cmp.notes).toContain('no variant name is in both runs: variants matched by position (x ↔ p, y ↔ q)')
    if (by === 'none') expect(cmp.findings).toEqual(['no variant of one run matched one of the other: nothing to compare (see the notes)'])
    if (onlyA.length > 0) expect(cmp.notes).toContain(`only in a: ${onlyA.join(', ')}`)
    if (onlyB.length > 0) expect(cmp.notes).toContain(`only in b: ${onlyB.join(', ')}`)
  })
})

// Each row: the metric's label, run a's figures, run b's, then worked by hand: the change as
// printed, whether it counts, the verdict, and the reason when it does not count.
const CHANGES: [string, Figures, Figures, string, boolean, MetricDiff['verdict'], string][] = [
  ['p99', { p99: 4 }, { p99: 5 }, '+25%', true, 'worse', 'one run each: no test of the noise'], // 5/4 − 1 = 0.25 ≥ 0.15
  ['p99', { p99: 4 }, { p99: 4.4 }, '+10%', false, 'same', 'within 15%'], // 0.10 < 3 × 5%
  ['p99', { p99: 5 }, { p99: 4 }, '−20%', true, 'better', 'one run each: no test of the noise'],
  ['throughput', { rps: 1000 }, { rps: 980 }, '−2%', false, 'same', 'within 5%'],
  ['throughput', { rps: 1000 }, { rps: 900 }, '−10%', true, 'worse', 'one run each: no test of the noise'],
  ['p50', { p50: 0.2 }, { p50: 0.215 }, '+7.5%', false, 'same', 'below the noise floor (0.02 ms)'], // ≥ 5%, but |Δ| 0.015 ms < 0.02 ms
  ['error rate', { errorRate: 0.01 }, { errorRate: 0.02 }, '+1 pp', true, 'worse', 'one run each: no test of the noise'], // |Δ| 0.01 ≥ 0.001
  ['error rate', { errorRate: 0.01 }, { errorRate: 0.0105 }, '+0.05 pp', false, 'same', 'below the noise floor (0.10%)'],
  ['Jain', { jain: 0.99 }, { jain: 0.98 }, '−0.010', false, 'same', 'below the noise floor (0.020)'],
  ['Jain', { jain: 0.99 }, { jain: 0.95 }, '−0.040', true, 'worse', 'one run each: no test of the noise'],
  ['detection kill-pod pod-2', { detectionSec: 3 }, { detectionSec: 3.2 }, '+0.2 s', false, 'same', 'below the noise floor (0.5 s)'],
  ['detection kill-pod pod-2', { detectionSec: 3 }, { detectionSec: 2 }, '−1 s', true, 'better', 'one run each: no test of the noise'],
  ['detection kill-pod pod-2', { detectionSec: null }, { detectionSec: 2 }, '–', true, 'changed', 'a value in run b only'],
  ['pod-1 share', { shares: [0.5, 0.5] }, { shares: [0.57, 0.43] }, '+7 pp', true, 'changed', 'one run each: no test of the noise'], // 7 pp ≥ 5 pp, no good direction
  ['pod-1 share', { shares: [0.5, 0.5] }, { shares: [0.53, 0.47] }, '+3 pp', false, 'same', 'below the noise floor (5.00%)'],
]

describe('compareRuns: the change of each figure and whether it counts', () => {
  it.each(CHANGES)('%s %j → %j: %s, changed %s (%s)', (label, fa, fb, change, changed, verdict, reason) => {
    const cmp = compareRuns(run([variant('v', fa)]), run([variant('v', fb)]), ['a', 'b'])
    const p = cmp.pairs[0]!
    const d = metric([...p.metrics, ...p.shares], label)
    expect(formatChange(d)).toBe(change)
    expect([d.changed, d.verdict, d.reason]).toEqual([changed, verdict, reason])
  })

  it('says what changed in one sentence per pair, changed figures first, moved-but-within ones with the reason', () => {
    const cmp = compareRuns(run([variant('rr', { p99: 4, rps: 1000, jain: 0.991 }), variant('same')]), run([variant('rr', { p99: 5, rps: 980, jain: 0.987 }), variant('same')]), ['a', 'b'])
    expect(cmp.findings).toEqual([
      'rr: p99 +25% worse (4.00 → 5.00 ms); throughput −2% (within 5%); Jain 0.991 → 0.987 (below the noise floor (0.020))',
      'same: the same figures',
    ])
  })

  it('puts pairs with a change first in the findings', () => {
    const cmp = compareRuns(run([variant('quiet'), variant('loud', { rps: 1000 })]), run([variant('quiet'), variant('loud', { rps: 500 })]), ['a', 'b'])
    expect(cmp.findings.map((f) => f.split(':')[0])).toEqual(['loud', 'quiet'])
  })

  it('with 5 trials a side tests the noise: a 10% drop with 1% noise counts (Mann-Whitney), one inside the trials\' spread does not', () => {
    const withTrials = (v: VariantResult, rps: number[]) => {
      v.trials = rps.map((x, i) => ({ trial: i + 1, disturbed: false, metrics: { 'requests.rps': x, 'latency.p50': 1, 'latency.p99': 4, 'errors.rate': 0, 'fairness.jain': 1 } }))
      return v
    }
    const base = [1000, 1010, 990, 1005, 995]
    const drop = compareRuns(run([withTrials(variant('v'), base)]), run([withTrials(variant('v'), base.map((x) => x * 0.9))]), ['a', 'b'])
    const d = metric(drop.pairs[0]!.metrics, 'throughput')
    expect([d.changed, d.verdict, d.trials, d.a, d.b]).toEqual([true, 'worse', [5, 5], 1000, 900])
    expect(d.reason).toMatch(/^Mann-Whitney p 0\.0079$/) // exact two-sided p of a complete separation of 5 and 5: 2 / C(10, 5) = 2/252
    expect(d.ci).toBeDefined()
    // Medians 1000 → 940 (−6%), but the trials overlap: not significant.
    const noisy = compareRuns(run([withTrials(variant('v'), [1000, 1100, 900, 1050, 950])]), run([withTrials(variant('v'), [940, 1040, 860, 1090, 910])]), ['a', 'b'])
    const n = metric(noisy.pairs[0]!.metrics, 'throughput')
    expect([n.changed, n.verdict]).toEqual([false, 'same'])
    expect(n.reason).toMatch(/^not significant/)
  })
})

describe('compareRuns: what differs besides the figures', () => {
  it.each([
    ['different machines', { machine: { cpus: 8, cpuModel: 'Intel Xeon', platform: 'linux', arch: 'x64', totalMemoryBytes: 25e9 } }, /^different machines: a ran on 2 CPUs \(AMD EPYC\).*, b on 8 CPUs \(Intel Xeon\).*compare runs from one machine/],
    ['different seeds', { seed: 7 }, /^different seeds: 1 → 7/],
    ['different versions', { versions: { svcbench: '0.2.0', node: 'v22.1.0', autocannon: '9.0.0', undici: '7.30.2' } }, /^different versions: svcbench 0\.1\.0 → 0\.2\.0, node v20\.20\.2 → v22\.1\.0$/],
    ['different scenarios', { scenario: { name: 'other', description: '', file: undefined, manifests: undefined } }, /^different scenarios: a ran "lb", b ran "other"/],
    ['an interrupted run', { interrupted: true }, /^b was interrupted/],
  ] as const)('notes %s', (_, extra, note) => {
    const cmp = compareRuns(run([variant('v')]), run([variant('v')], extra as Partial<RunResult>), ['a', 'b'])
    expect(cmp.notes).toEqual([expect.stringMatching(note)])
  })

  it('notes nothing for two runs on one machine with one configuration', () => {
    expect(compareRuns(run([variant('v')]), run([variant('v', { p99: 9 })]), ['a', 'b']).notes).toEqual([])
  })

  it('notes how a pair ran differently: proxy mode, load', () => {
    const other = variant('v')
    Object.assign(other, { proxyMode: 'ipvs', ipvsScheduler: 'rr' })
    other.load = { ...other.load!, model: 'open', ratesRps: [500], arrival: 'constant' }
    expect(compareRuns(run([variant('v')]), run([other]), ['a', 'b']).pairs[0]!.notes).toEqual(['ran differently: proxy mode iptables → ipvs rr; load closed, 10 conn → open 500/s'])
  })
})

describe('comparisonLabels', () => {
  const a = run([variant('v')])
  it.each([
    ['the scenario names when they differ', run([variant('v')], { scenario: { name: 'other', description: '', file: undefined, manifests: undefined } }), undefined, ['lb', 'other']],
    ['the run folders of results.json files', run([variant('v')]), ['reports/lb/2026-11-26T08-00-00Z/results.json', 'reports/lb/2026-11-27T09-00-00Z/results.json'], ['2026-11-26T08-00-00Z', '2026-11-27T09-00-00Z']],
    ['the file names of other files', run([variant('v')]), ['x/monday.json', 'x/tuesday.json'], ['monday', 'tuesday']],
    ['the start times when the files say nothing', run([variant('v')], { startedAt: '2026-11-27T09:00:00.000Z' }), ['r/results.json', 'r/results.json'], ['2026-11-26T08-00-00Z', '2026-11-27T09-00-00Z']],
    ['a and b when nothing tells them apart', run([variant('v')]), undefined, ['a', 'b']],
  ] as const)('are %s', (_, b, files, labels) => {
    expect(comparisonLabels(a, b, files)).toEqual(labels)
  })
})

describe('overlayResult', () => {
  it('holds both runs\' variants renamed <label>: <variant>, matched pairs adjacent, then the unmatched, without touching the runs', () => {
    const a = run([variant('x'), variant('y'), variant('only-a')])
    const b = run([variant('y'), variant('x'), variant('only-b')])
    const before = JSON.stringify([a, b])
    const o = overlayResult(a, b, ['mon', 'tue'])
    expect(o.variants.map((v) => v.name)).toEqual(['mon: x', 'tue: x', 'mon: y', 'tue: y', 'mon: only-a', 'tue: only-b'])
    expect(o.resolved.map((v) => v.name)).toEqual(o.variants.map((v) => v.name))
    expect(JSON.stringify([a, b])).toBe(before)
  })

  it('feeds the chart builders: every chart of the fixture draws both runs\' variants', () => {
    const a = JSON.parse(fs.readFileSync(new URL('../fixtures/results/pod-crash-3-variants.json', import.meta.url), 'utf8')) as RunResult
    const overlay = overlayResult(a, structuredClone(a), ['a', 'b'])
    const charts = buildCharts(overlay)
    // The topology view is one chart per variant: one per overlaid variant; every other chart draws both runs.
    const perVariant = (c: { name: string }) => c.name.startsWith('topology-')
    expect(charts.filter((c) => !perVariant(c)).map((c) => c.name)).toEqual(buildCharts(a).filter((c) => !perVariant(c)).map((c) => c.name))
    expect(charts.filter(perVariant)).toHaveLength(overlay.variants.length)
    for (const c of charts.filter((x) => !perVariant(x))) {
      const data = JSON.stringify(c.spec)
      for (const n of ['a: iptables', 'b: iptables', 'a: userspace', 'b: userspace']) expect(data, `${c.name} draws ${n}`).toContain(n)
    }
  })
})

describe('formatValue', () => {
  it.each([
    ['req/s', 4210.6, undefined, '4,211'],
    ['ms', 4.1, undefined, '4.10'],
    ['ms', 26.34, undefined, '26.3'],
    ['ms', 1999, 2000, '≥ 2000'],
    ['fraction', 0.3096, undefined, '31.0%'],
    ['fraction', 0.0912, undefined, '9.12%'],
    ['index', 0.9911, undefined, '0.991'],
    ['s', null, undefined, '–'],
  ] as const)('%s %s (timeout %s) is %s', (unit, x, timeout, text) => {
    expect(formatValue(unit, x, timeout)).toBe(text)
  })
})
