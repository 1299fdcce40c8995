import { describe, it, expect } from 'vitest'
import fs from 'node:fs'
import { parseCondition, parseThresholds, evaluateThresholds, isKnownPath, holds, liveValue } from '../../harness/gate/thresholds.ts'
import { variantMetrics, metricUnit } from '../../harness/gate/metrics.ts'
import type { ScenarioIssue } from '../../harness/errors.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ScenarioError } from '../../harness/errors.ts'
import type { RunResult } from '../../harness/model/results.ts'
import type { Threshold } from '../../harness/model/scenario.ts'

const ctx = { pods: ['pod-1', 'pod-2'], nodes: ['node-a'], faults: 1 }

describe('parseCondition', () => {
  it.each([
    ['latency.p99', '< 25ms', '<', 25],
    ['latency.p99', '<25ms', '<', 25],
    ['latency.p99', '<= 2s', '<=', 2000],
    ['latency.p50', '> 0.5', '>', 0.5],
    ['latencyMs.max', '< 1.5e3', '<', 1500],
    ['errors.rate', '< 0.1%', '<', 0.001],
    ['errors.rate', '<= 0.02', '<=', 0.02],
    ['fairness.jain', '>= 90%', '>=', 0.9],
    ['requests.rps', '> 5000', '>', 5000],
    ['failover.maxDetectionSec', '<= 35', '<=', 35],
    ['failover.maxDetectionSec', '<= 35s', '<=', 35],
    ['failover.maxDetectionSec', '< 500ms', '<', 0.5],
    ['failover.maxThroughputDipPct', '< 50%', '<', 50],
    ['errors.total', '== 0', '==', 0],
    ['pods.pod-1.share', '!= 0', '!=', 0],
  ])('%s %s', (path, cond, op, limit) => {
    const r = parseCondition(path, cond)
    expect(r).toMatchObject({ path, op, limit })
  })

  it.each([
    ['latency.p99', '25ms', /expected <op> <number><unit\?>/],
    ['latency.p99', '< 25 mins', /expected <op>/],
    ['latency.p99', '=< 25', /expected <op>/],
    ['latency.p99', '< 5%', /"%" does not fit latency.p99/],
    ['requests.rps', '> 5ms', /"ms" does not fit requests.rps, which is not a time/],
    ['errors.rate', '< 1s', /not a time; use a plain number or a percentage/],
    ['requests.rps', '> 5%', /"%" does not fit/],
    ['latency.p99', '', /expected <op>/],
  ])('%s %j is rejected', (path, cond, msg) => {
    const r = parseCondition(path, cond)
    expect(typeof r).toBe('string')
    expect(r).toMatch(msg)
    expect(r).toContain(JSON.stringify(cond))
  })
})

describe('isKnownPath', () => {
  it.each([
    'latency.p99', 'latencyMs.p50', 'requests.rps', 'errors.rate', 'errors.byKind.timeout', 'errors.byCode.ECONNRESET', 'fairness.jain',
    'pods.pod-2.share', 'nodes.node-a.decisions', 'failover.maxDetectionSec', 'failover.0.requestsLost', 'failover.0.errors.reset',
    'stickiness.clientsOnOnePod', 'normalized.rps', 'calibration.p99', 'loadBalancer.byNode.node-a', 'durationSec',
  ])('%s is known', (p) => expect(isKnownPath(p, ctx)).toBe(true))
  it.each(['latency.p98', 'pods.pod-3.share', 'nodes.node-b.decisions', 'failover.1.requestsLost', 'requests', 'rps', 'errors.byKind.nope', 'timeline.0.rps'])('%s is not', (p) =>
    expect(isKnownPath(p, ctx)).toBe(false),
  )
  it('failover aggregates need a fault', () => {
    expect(isKnownPath('failover.maxDetectionSec', { ...ctx, faults: 0 })).toBe(false)
  })
})

describe('parseThresholds', () => {
  it('collects every issue with its path, and accepts lists and objects', () => {
    const issues: ScenarioIssue[] = []
    const out = parseThresholds(
      { 'latency.p99': ['< 25ms', '> 1'], 'errors.rate': { limit: '< 1%', abortOnFail: true, delayAbortEval: '2s' }, 'latency.p98': '< 1', 'fairness.jain': { limit: '>= 0.9', abortOnFail: true }, 'requests.rps': ['> 1', 'lots'] },
      ctx,
      'thresholds',
      issues,
    )
    expect(out.map((t) => `${t.path} ${t.condition}`)).toEqual(['latency.p99 < 25ms', 'latency.p99 > 1', 'errors.rate < 1%', 'fairness.jain >= 0.9', 'requests.rps > 1'])
    expect(out[2]).toMatchObject({ abortOnFail: true, delayAbortEvalMs: 2000 })
    expect(issues.map((i) => i.path)).toEqual(['thresholds["latency.p98"]', 'thresholds["fairness.jain"].abortOnFail', 'thresholds["requests.rps"][1]'])
    expect(issues[1]!.message).toMatch(/abortOnFail works on errors.rate, errors.total/)
  })

  it('a bad threshold in a scenario is a ScenarioError naming the field (exit 2), not a failed gate', () => {
    const bad = () => resolveScenario({ name: 'x', thresholds: { 'latency.p99': '< 25 parsecs' } })
    expect(bad).toThrow(ScenarioError)
    expect(bad).toThrow(/thresholds\["latency.p99"\]: got "< 25 parsecs"/)
    expect(() => resolveScenario({ name: 'x', thresholds: { 'latency.p99': 25 } })).toThrow(/^thresholds\["latency.p99"\]: got 25; expected a condition/)
  })

  it('variants add and override thresholds; a variant issue is reported under the variant', () => {
    const run = resolveScenario({ name: 'x', thresholds: { 'latency.p99': '< 25ms' }, variants: { a: {}, b: { thresholds: { 'latency.p99': '< 5ms', 'errors.rate': '< 1%' } } } })
    expect(run.variants[0]!.thresholds.map((t) => t.condition)).toEqual(['< 25ms'])
    expect(run.variants[1]!.thresholds.map((t) => `${t.path} ${t.condition}`)).toEqual(['latency.p99 < 5ms', 'errors.rate < 1%'])
    expect(() => resolveScenario({ name: 'x', variants: { a: { thresholds: { 'pods.pod-9.share': '> 0' } } } })).toThrow(/variants.a.thresholds\["pods.pod-9.share"\]: no metric/)
  })
})

describe('evaluateThresholds', () => {
  const t = (path: string, op: Threshold['op'], limit: number): Threshold => ({ path, condition: `${op} ${limit}`, op, limit, abortOnFail: false, delayAbortEvalMs: 1000 })
  it('passes, fails, and fails on a missing or null metric', () => {
    const r = evaluateThresholds('v', [t('latency.p99', '<', 25), t('requests.rps', '>', 5000), t('failover.maxDetectionSec', '<=', 35), t('fairness.jain', '>=', 0.9)], {
      'latency.p99': 11.5,
      'requests.rps': 4000,
      'failover.maxDetectionSec': null,
    })
    expect(r.map((x) => x.pass)).toEqual([true, false, false, false])
    expect(r[2]!.note).toMatch(/null/)
    expect(r[3]!.note).toMatch(/not in the results/)
    expect(r[1]!.measured).toBe(4000)
  })
  it.each([
    ['<', 1, 2, true], ['<', 2, 2, false], ['<=', 2, 2, true], ['>', 3, 2, true], ['>=', 2, 2, true], ['==', 2, 2, true], ['!=', 2, 2, false],
  ] as const)('%s: %d vs %d', (op, m, l, ok) => expect(holds(op, m, l)).toBe(ok))
  it('live values: errors.rate over requests (responses + transport errors), errors.total', () => {
    expect(liveValue('errors.rate', { requests: 200, errors: 3 })).toBe(0.015)
    expect(liveValue('errors.rate', { requests: 0, errors: 0 })).toBe(0)
    expect(liveValue('errors.total', { requests: 200, errors: 3 })).toBe(3)
  })
})

describe('variantMetrics', () => {
  const fixture = JSON.parse(fs.readFileSync(new URL('../fixtures/results/pod-crash-3-variants.json', import.meta.url), 'utf8')) as RunResult
  it('flattens a real result: aliases, pods and nodes by name, failover aggregates; every path is known', () => {
    const v = fixture.variants[0]!
    const m = variantMetrics(v)
    expect(m['latency.p99']).toBe(v.latencyMs.p99)
    expect(m['latencyMs.p99']).toBe(v.latencyMs.p99)
    expect(m['requests.rps']).toBe(v.requests.rps)
    expect(m[`pods.${v.pods[0]!.name}.share`]).toBe(v.pods[0]!.share)
    expect(m['failover.totalRequestsLost']).toBe(v.failover.reduce((s, f) => s + f.requestsLost, 0))
    expect(Object.keys(m).some((k) => k.startsWith('timeline'))).toBe(false)
    const c = { pods: v.pods.map((p) => p.name), nodes: v.nodes.map((n) => n.name), faults: v.failover.length }
    const unknown = Object.keys(m).filter((k) => !isKnownPath(k, c))
    expect(unknown).toEqual([])
  })
  it.each([
    ['latency.p99', 'ms'], ['failover.0.detectionSec', 's'], ['failover.maxThroughputDipPct', 'pct'], ['errors.rate', 'fraction'], ['requests.rps', 'none'],
  ])('%s is in %s', (p, u) => expect(metricUnit(p)).toBe(u))
})
