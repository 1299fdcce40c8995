/**
 * Chart builders on fixture results: valid against the Vega-Lite JSON schema shipped in the
 * vega-lite package, stable (snapshots), and rendering to SVG with marks.
 */
import { describe, expect, it, beforeAll } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as AjvModule from 'ajv'
import type { ValidateFunction } from 'ajv'

// ajv is CommonJS with a default export; depending on the loader its class is on .default.
type AjvClass = typeof AjvModule.Ajv
const Ajv: AjvClass = ((AjvModule as unknown as { default?: { default?: AjvClass } }).default?.default ??
  (AjvModule as unknown as { default?: AjvClass }).default ??
  AjvModule.Ajv) as AjvClass
import { buildCharts, renderSvg, writeReports } from '../../harness/report/write.ts'
import type { RunResult } from '../../harness/model/results.ts'

const require = createRequire(import.meta.url)
const fixture = (name: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/results/${name}`, import.meta.url), 'utf8')) as RunResult
const withFaults = fixture('pod-crash-3-variants.json')
const hashing = fixture('nat-ip-hash.json')

/** One variant of a result. */
function only(r: RunResult, i: number): RunResult {
  return { ...r, variants: [r.variants[i]!] }
}

/** The fixture with `n` variants (copies renamed) and `pods` pods in each (synthetic shares). */
function scaled(r: RunResult, n: number, pods: number): RunResult {
  const base = r.variants[0]!
  const podList = Array.from({ length: pods }, (_, j) => ({ ...base.pods[0]!, name: `pod-${j + 1}`, node: `node-${j % 5}`, share: 1 / pods, requests: 100 + j, expectedShare: 1 / pods }))
  const timeline = base.timeline.map((t) => ({ ...t, byPod: Object.fromEntries(podList.map((p) => [p.name, 10])) }))
  return { ...r, variants: Array.from({ length: n }, (_, k) => ({ ...base, name: `v${k + 1}`, pods: podList, timeline })) }
}

let validate: ValidateFunction
beforeAll(() => {
  const schema = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('vega-lite')), 'vega-lite-schema.json'), 'utf8'))
  validate = new Ajv({ strict: false, allowUnionTypes: true, validateFormats: false, logger: false }).compile(schema)
})

/** The fixture stretched to a 10-minute run (600 timeline points per variant). */
function long(r: RunResult): RunResult {
  return {
    ...r,
    variants: r.variants.map((v) => ({
      ...v,
      durationSec: 600,
      timeline: Array.from({ length: 600 }, (_, k) => ({ ...v.timeline[k % v.timeline.length]!, tSec: k })),
    })),
  }
}

const cases: [string, RunResult, string[]][] = [
  ['3 variants with faults', withFaults, ['pod-share', 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'errors-over-time', 'fairness', 'failover-timeline']],
  ['1 variant with faults', only(withFaults, 0), ['pod-share', 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'errors-over-time', 'fairness', 'failover-timeline']],
  ['ip-hash without faults', hashing, ['pod-share', 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'client-pod-heatmap', 'fairness']],
  ['4 variants', scaled(hashing, 4, 6), ['pod-share', 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'client-pod-heatmap', 'fairness']],
  ['8 variants, 50 pods', scaled(hashing, 8, 50), ['pod-share', 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'client-pod-heatmap', 'fairness']],
  ['a 10-minute run', long(withFaults), ['pod-share', 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'errors-over-time', 'fairness', 'failover-timeline']],
]

describe('long runs', () => {
  it('aggregate the time axis to at most about 120 points per series', () => {
    const chart = buildCharts(long(withFaults)).find((c) => c.name === 'rps-by-pod')!
    const rows = (chart.spec as { data: { values: { kind: string; variant: string; pod: string }[] } }).data.values
    const perSeries = rows.filter((r) => r.kind === 'series' && r.variant === 'iptables' && r.pod === 'pod-1').length
    expect(perSeries).toBeLessThanOrEqual(121) // 120 buckets and the point that closes the last one
    expect(perSeries).toBeGreaterThan(50)
  })
})

describe('time axes', () => {
  it('span the whole measured phase in every time chart, so they line up and a late first error is not the origin', () => {
    const charts = buildCharts(withFaults).filter((c) => ['rps-by-pod', 'latency-over-time', 'errors-over-time'].includes(c.name))
    expect(charts).toHaveLength(3)
    const end = Math.max(...withFaults.variants.map((v) => Math.max(v.durationSec, v.timeline.length)))
    for (const c of charts) {
      const series = (c.spec as { spec: { layer: { encoding: { x: { scale?: { domain: number[] } } } }[] } }).spec.layer[0]!
      expect(series.encoding.x.scale?.domain, c.name).toEqual([0, end])
    }
  })
  it('label the percentile axis in nines, from 50%', async () => {
    const svg = await renderSvg(buildCharts(withFaults).find((c) => c.name === 'latency-percentiles')!)
    for (const label of ['50%', '90%', '99%', '99.9%', '99.99%']) expect(svg).toContain(`>${label}</text>`)
  })
})

describe('client-pod heatmap', () => {
  it('lists client addresses in numeric order and pods in the run order', () => {
    const base = hashing.variants[1]!
    // Twelve pods, so that text order (pod-1, pod-10, pod-11, pod-2…) would differ.
    const pods = Array.from({ length: 12 }, (_, j) => ({ ...base.pods[0]!, name: `pod-${j + 1}` }))
    const matrix = base.stickiness.matrix.map((c, i) => ({ ...c, pod: `pod-${(i % 12) + 1}` }))
    const r = { ...hashing, variants: [{ ...base, pods, stickiness: { ...base.stickiness, matrix } }] }
    const chart = buildCharts(r).find((c) => c.name === 'client-pod-heatmap')!
    const enc = (chart.spec as { spec: { encoding: { x: { sort: string[] }; y: { sort: string[] } } } }).spec.encoding
    expect(enc.x.sort).toEqual(pods.map((p) => p.name))
    const octets = enc.y.sort.map((a) => Number(a.split('.')[3]))
    expect(octets.length).toBe(64)
    expect(octets).toEqual([...octets].sort((a, b) => a - b))
  })
})

describe.each(cases)('charts for %s', (_label, result, expected) => {
  const charts = buildCharts(result)
  it('builds the charts that apply', () => {
    expect(charts.map((c) => c.name)).toEqual(expected)
  })
  it('validates every spec against the Vega-Lite JSON schema', () => {
    for (const c of charts) expect(validate(c.spec), `${c.name}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true)
  })
  it('renders every chart to SVG with marks', async () => {
    for (const c of charts) {
      const svg = await renderSvg(c)
      expect(svg.startsWith('<svg'), c.name).toBe(true)
      expect(svg, c.name).toMatch(/<path|<rect|<line/)
    }
  })
})

describe('chart specs', () => {
  it('stay stable for the fixture (snapshot)', () => {
    for (const c of buildCharts(withFaults)) expect(c.spec).toMatchSnapshot(c.name)
  })
})

describe('writeReports', () => {
  it('writes report.html (offline: libraries and data inlined), summary.md and every chart as .vl.json and .svg', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-report-'))
    try {
      const paths = await writeReports(withFaults, dir)
      const html = fs.readFileSync(paths.html, 'utf8')
      expect(html).toContain('vegaEmbed')
      expect(html).not.toMatch(/<script[^>]+src=/) // nothing loaded from anywhere
      expect(html).not.toMatch(/<link[^>]+href=/)
      for (const c of buildCharts(withFaults)) {
        expect(html).toContain(`id="chart-${c.name}"`)
        expect(fs.existsSync(path.join(dir, 'charts', `${c.name}.vl.json`))).toBe(true)
        expect(fs.readFileSync(path.join(dir, 'charts', `${c.name}.svg`), 'utf8')).toMatch(/^<svg/)
      }
      const md = fs.readFileSync(paths.markdown, 'utf8')
      expect(md).toMatch(/^# svcbench: pod-crash/)
      expect(md).toContain('![Failover timeline](charts/failover-timeline.svg)')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
