import { describe, expect, it } from 'vitest'
import { summarizeVariant } from '../../harness/stats/summary.ts'
import { createLatencyHistogram, recordMs } from '../../harness/stats/latency.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import type { VariantMeasurements } from '../../harness/stats/types.ts'

// One second, 100 responses of exactly 1 ms each (exact in the HDR histogram): rps 100, p50 = p99 = 1 ms.
function measurements(): VariantMeasurements {
  const variant = resolveScenario({ name: 'x', cluster: { nodes: 1, replicas: 1 }, load: { clientIps: 1, connections: 1 } }).variants[0]!
  const h = createLatencyHistogram()
  for (let i = 0; i < 100; i++) recordMs(h, 1)
  const kinds = { 'connect-refused': 0, reset: 0, timeout: 0, 'http-5xx': 0, other: 0 }
  return {
    variant,
    topology: { nodes: [{ name: 'node-a', address: '127.9.1.1' }], pods: [{ name: 'pod-1', node: 'node-a', address: '127.9.2.1', port: 8080, spec: variant.cluster.nodes[0]!.podSpecs[0]! }] },
    hashSeed: 1,
    load: { elapsedMs: 1000, responses: 100, ok: 100, statusCounts: { 200: 100 }, errorsByKind: kinds, errorsByCode: {}, latency: h, perSecond: [], perSecondHistograms: [], okPer100ms: [], errorEvents: [], errorsPer100ms: [], clientAddressesUsed: 1, interrupted: false },
    pods: [],
    proxies: [],
  }
}

describe('summarizeVariant calibration and cpu inputs', () => {
  it('leaves cpu, calibration and normalized null when they were not measured', () => {
    expect(summarizeVariant(measurements())).toMatchObject({ cpu: null, calibration: null, normalized: null })
  })
  it('gives throughput and latency as ratios to the calibration path', () => {
    const calibration = { rps: 200, p50: 0.5, p99: 2 }
    const r = summarizeVariant({ ...measurements(), calibration })
    expect(r.calibration).toEqual(calibration)
    expect(r.normalized).toEqual({ rps: 0.5, p50: 2, p99: 0.5 })
  })
  it.each([
    { rps: 0, p50: 0.5, p99: 2 },
    { rps: 200, p50: 0, p99: 2 },
    { rps: 200, p50: 0.5, p99: 0 },
  ])('has no normalized figures against an unusable calibration %j', (calibration) => {
    const r = summarizeVariant({ ...measurements(), calibration })
    expect(r.calibration).toEqual(calibration)
    expect(r.normalized).toBeNull()
  })
  it('summarizes the CPU use of the measured phase', () => {
    const usage = { windowMs: 1000, machineBusyPct: 30, byProcess: [{ role: 'load-generator' as const, name: 'svcbench', pct: 50 }] }
    // Two cores 30% busy are 60% of a core; the load generator used 50%: others 10%.
    expect(summarizeVariant({ ...measurements(), cpu: { usage, cores: 2 } }).cpu).toMatchObject({ loadGeneratorPct: 50, otherPct: 10, cores: 2, saturated: [] })
  })
})
