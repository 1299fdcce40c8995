import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ScenarioError } from '../../harness/errors.ts'
import { parseArgs } from '../../harness/cli/args.ts'
import { clientAddressCount, executorFor, openPlanFor, warmupRps } from '../../harness/load/plan.ts'

function issuesOf(input: unknown): string[] {
  try {
    resolveScenario(input, { file: 'x.ts' })
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`)
  }
  throw new Error('expected a ScenarioError')
}

const load = (l: Record<string, unknown>) => resolveScenario({ name: 'x', load: l }).variants[0]!

describe('the load model of a scenario', () => {
  it('is closed unless load.rate or load.stages set a schedule', () => {
    expect(load({})).toMatchObject({ load: { model: 'closed', startRps: 0, stages: [] } })
    expect(executorFor(load({}))).toBe('closed')
    const v = load({ rate: 3000, arrival: 'poisson', maxConnections: 200, keepAlive: true })
    expect(v.load).toMatchObject({ model: 'open', startRps: 3000, stages: [], arrival: 'poisson', maxConnections: 200 })
    expect(executorFor(v)).toBe('open')
  })

  it('ramps stages from 0 and takes their total as the duration unless one is given', () => {
    const v = load({ stages: [{ duration: '10s', target: 500 }, { duration: '20s', target: 4000 }] })
    expect(v.load).toMatchObject({ model: 'open', startRps: 0, durationMs: 30_000, stages: [{ durationMs: 10_000, targetRps: 500 }, { durationMs: 20_000, targetRps: 4000 }] })
    expect(load({ stages: [{ duration: '1s', target: 5 }], duration: '3s' }).load.durationMs).toBe(3000)
    // The warm-up runs at the first rate named.
    expect(warmupRps(v.load)).toBe(500)
    expect(warmupRps(load({ rate: 70 }).load)).toBe(70)
  })

  it.each([
    [{ rate: 10, stages: [{ duration: '1s', target: 5 }] }, 'load.stages: got both load.rate (10) and load.stages; expected one of them: rate for a constant rate, stages for a ramp'],
    [{ arrival: 'poisson' }, 'load.arrival: applies to the open model only; set load.rate or load.stages (or leave load.arrival out)'],
    [{ maxConnections: 5 }, 'load.maxConnections: applies to the open model only; set load.rate or load.stages (or leave load.maxConnections out)'],
    [{ stages: [{ duration: 0, target: 5 }] }, 'load.stages: the stages last 0ms in all; expected at least one stage with a duration'],
    [{ rate: 0 }, 'load.rate: got 0; expected a number from 0.001 to 1000000'],
    [{ arrival: 'uniform', rate: 1 }, 'load.arrival: got "uniform"; expected one of "constant", "poisson"'],
  ])('refuses %j', (l, message) => {
    expect(issuesOf({ name: 'x', load: l })).toContain(message)
  })

  it('--rate runs every variant open at that constant rate, replacing its stages', () => {
    expect(parseArgs(['--rate', '2500']).overrides.rateRps).toBe(2500)
    expect(parseArgs(['--rate=0.5']).overrides.rateRps).toBe(0.5)
    expect(() => parseArgs(['--rate', '0'])).toThrow(/--rate: got "0"; expected requests per second, a number above 0 and at most 1000000/)
    expect(() => parseArgs(['--rate', 'fast'])).toThrow(/--rate: got "fast"/)
    const run = resolveScenario({ name: 'x', load: { stages: [{ duration: '2s', target: 9 }] }, variants: { a: {}, b: { load: { connections: 3 } } } }, { overrides: { rateRps: 800 } })
    for (const v of run.variants) expect(v.load).toMatchObject({ model: 'open', startRps: 800, stages: [], durationMs: 2000 })
  })

  it('cycles client addresses per request without keep-alive, per connection otherwise', () => {
    expect(clientAddressCount(load({ clientIps: 500, connections: 10 }))).toBe(10)
    expect(clientAddressCount(load({ clientIps: 500, rate: 100, keepAlive: false }))).toBe(500)
    expect(clientAddressCount(load({ clientIps: 500, rate: 100, maxConnections: 20 }))).toBe(20)
    const w = resolveScenario({ name: 'x', load: { clientIps: 500, rate: 100, keepAlive: false } }).warnings
    expect(w.filter((x) => x.includes('client addresses are used'))).toEqual([])
  })

  it('seeds each variant its own arrivals, the same run after run', () => {
    const run = resolveScenario({ name: 'x', seed: 5, load: { rate: 10, arrival: 'poisson' }, variants: { a: {}, b: {} } })
    const [a, b] = run.variants.map((v) => openPlanFor(v, run.seed)!)
    expect(a!.seed).not.toBe(b!.seed)
    expect(openPlanFor(run.variants[0]!, run.seed)).toEqual(a)
    expect(openPlanFor(load({}), 1)).toBeUndefined()
  })
})
