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

/** The topology charts of a result: one per variant, after pod-share. */
const topo = (r: RunResult) => r.variants.map((v) => `topology-${v.name}`)

const cases: [string, RunResult, string[]][] = [
  ['3 variants with faults', withFaults, ['pod-share', ...topo(withFaults), 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'errors-over-time', 'fairness', 'failover-timeline']],
  ['1 variant with faults', only(withFaults, 0), ['pod-share', ...topo(only(withFaults, 0)), 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'errors-over-time', 'fairness', 'failover-timeline']],
  ['ip-hash without faults', hashing, ['pod-share', ...topo(hashing), 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'client-pod-heatmap', 'fairness']],
  ['4 variants', scaled(hashing, 4, 6), ['pod-share', ...topo(scaled(hashing, 4, 6)), 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'client-pod-heatmap', 'fairness']],
  ['8 variants, 50 pods', scaled(hashing, 8, 50), ['pod-share', ...topo(scaled(hashing, 8, 50)), 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'client-pod-heatmap', 'fairness']],
  ['a 10-minute run', long(withFaults), ['pod-share', ...topo(withFaults), 'rps-by-pod', 'latency-percentiles', 'latency-over-time', 'errors-over-time', 'fairness', 'failover-timeline']],
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
      const layers = (c.spec as { spec: { layer: { transform?: { filter: string }[]; encoding: { x: { scale?: { domain: number[] } } } }[] } }).spec.layer
      const series = layers.find((l) => l.transform?.[0]?.filter === "datum.kind === 'series'")!
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

/** A unit spec (one mark) with the encoding it inherits from the layers and facets above it. */
interface Unit {
  mark: unknown
  encoding: Record<string, unknown>
  transform?: { filter?: string }[]
}

/** Every unit spec of a Vega-Lite spec, with inherited encodings merged in. */
function units(spec: Record<string, unknown>, inherited: Record<string, unknown> = {}): Unit[] {
  const encoding = { ...inherited, ...((spec.encoding as Record<string, unknown> | undefined) ?? {}) }
  if (spec.mark !== undefined) return [{ mark: spec.mark, encoding, transform: spec.transform as Unit['transform'] }]
  if (spec.spec !== undefined) return units(spec.spec as Record<string, unknown>, encoding)
  return ((spec.layer as Record<string, unknown>[] | undefined) ?? []).flatMap((l) => units(l, encoding))
}

const TIME_CHARTS = ['rps-by-pod', 'latency-over-time', 'errors-over-time', 'failover-timeline', 'scheduled-vs-completed']
const hang = fixture('hang-closed-vs-open.json')

describe('time charts', () => {
  const withResult = [withFaults, hang].flatMap((r) => buildCharts(r).filter((c) => TIME_CHARTS.includes(c.name)).map((c) => [c, r] as const))
  const all = withResult.map(([c]) => c)
  it('are the five time charts', () => {
    expect([...new Set(all.map((c) => c.name))].sort()).toEqual([...TIME_CHARTS].sort())
  })
  it.each(all.map((c) => [c.name, c] as const))('%s ticks at whole seconds, labels never overlapping', (_name, c) => {
    const xs = units(c.spec as never).flatMap((u) => (u.encoding.x !== undefined && 'axis' in (u.encoding.x as object) ? [u.encoding.x as { axis: Record<string, unknown>; title: string }] : []))
    expect(xs.length, c.name).toBeGreaterThan(0)
    for (const x of xs) expect(x.axis, c.name).toMatchObject({ tickMinStep: 1, format: 'd', labelOverlap: true })
  })
  it('tick at whole minutes past 180 s', () => {
    const c = buildCharts(long(withFaults)).find((x) => x.name === 'latency-over-time')!
    const x = units(c.spec as never).find((u) => u.transform?.[0]?.filter === "datum.kind === 'series'")!.encoding.x as { title: string; axis: { values: number[] } }
    expect(x.title).toBe('minutes into the measured phase')
    expect(x.axis.values.every((v) => v % 60 === 0)).toBe(true)
    expect(x.axis.values.length).toBeLessThanOrEqual(13)
  })
  it.each(withResult.filter(([c]) => c.name !== 'failover-timeline').map(([c, r]) => [c.name, c, r] as const))('%s shades every fault window of its variants and labels each once', (_name, c, r) => {
    const values = (c.spec as { data: { values: { kind: string; variant?: string }[] } }).data.values
    const windows = values.filter((x) => x.kind === 'window')
    // One window per fault that is not a recovery, in each variant the chart has a panel for.
    const panels = new Set(values.filter((x) => x.kind === 'series').map((x) => x.variant))
    const faults = r.variants.filter((v) => panels.has(v.name)).flatMap((v) => v.failover.filter((f) => f.fault !== 'recover-pod'))
    expect(windows.filter((w) => panels.has(w.variant)), c.name).toHaveLength(faults.length)
    expect(faults.length, c.name).toBeGreaterThan(0)
    const layers = units(c.spec as never)
    const isWindow = (u: Unit) => u.transform?.[0]?.filter === "datum.kind === 'window'"
    expect(layers.some((u) => (u.mark as { type: string }).type === 'rect' && isWindow(u)), c.name).toBe(true)
    expect(layers.filter((u) => (u.mark as { type: string }).type === 'text' && isWindow(u)), c.name).toHaveLength(1)
  })
  it('the failover timeline shows each fault window in its row', () => {
    const c = buildCharts(withFaults).find((x) => x.name === 'failover-timeline')!
    const phases = (c.spec as { data: { values: { phase: string }[] } }).data.values.filter((x) => x.phase === 'fault window')
    expect(phases).toHaveLength(withFaults.variants.flatMap((v) => v.failover.filter((f) => f.fault !== 'recover-pod')).length)
  })
  it('shade nothing in a run without faults', () => {
    const c = buildCharts(hashing).find((x) => x.name === 'rps-by-pod')!
    expect((c.spec as { data: { values: { kind: string }[] } }).data.values.filter((r) => r.kind === 'window')).toEqual([])
  })
  it('end a fault window at the last of detection, recovery and the last error', () => {
    const c = buildCharts(only(withFaults, 0)).find((x) => x.name === 'rps-by-pod')!
    const w = (c.spec as { data: { values: { kind: string; label: string; startSec: number; endSec: number }[] } }).data.values.filter((r) => r.kind === 'window')
    // iptables: kill-pod at 3.005, recovered 3.2, detected 6.077, last error 6.078; fail-pod at 9.502, never detected nor recovered, last error 10.047.
    expect(w.map((x) => [x.label, x.startSec, x.endSec])).toEqual([['kill-pod pod-2', 3.005, 6.078], ['fail-pod pod-1', 9.502, 10.047]])
  })
})

describe('colours', () => {
  const charts = [...buildCharts(withFaults), ...buildCharts(hashing)]
  it('give a pod the same colour in every chart that colours by pod (one domain of every pod of the run, one range)', () => {
    for (const [r, cs] of [[withFaults, buildCharts(withFaults)], [hashing, buildCharts(hashing)]] as const) {
      const scales = cs.flatMap((c) => units(c.spec as never).flatMap((u) => {
        const color = u.encoding.color as { field?: string; scale?: { domain: string[]; range: string[] } } | undefined
        return color?.field === 'pod' ? [JSON.stringify(color.scale)] : []
      }))
      expect(scales.length).toBeGreaterThanOrEqual(1 + r.variants.length) // rps-by-pod and every topology
      expect(new Set(scales).size).toBe(1)
      const scale = JSON.parse(scales[0]!) as { domain: string[]; range: string[] }
      expect(scale.domain).toEqual([...new Set(r.variants.flatMap((v) => v.pods.map((p) => p.name)))])
      expect(scale.range[0]).toBe('#0072B2') // Okabe–Ito blue first
    }
  })
  it('give a variant the same colour in every chart that colours by variant', () => {
    const scales = buildCharts(withFaults).flatMap((c) => units(c.spec as never).flatMap((u) => {
      const color = u.encoding.color as { field?: string; scale?: unknown } | undefined
      return color?.field === 'variant' ? [JSON.stringify(color.scale)] : []
    }))
    expect(scales.length).toBeGreaterThanOrEqual(3)
    expect(new Set(scales).size).toBe(1)
  })
  it('put a tooltip on every mark', () => {
    for (const c of charts) {
      for (const u of units(c.spec as never)) expect(u.encoding.tooltip, `${c.name}: ${JSON.stringify(u.mark)}`).toBeDefined()
    }
  })
})

describe('page width', () => {
  it('every chart carries the patch that makes it fill its container, and its SVG a fixed width', async () => {
    for (const c of buildCharts(withFaults)) {
      const patch = (c.spec as { usermeta?: { embedOptions?: { patch?: { op: string; path: string; value?: { type?: string } }[] } } }).usermeta?.embedOptions?.patch
      expect(patch, c.name).toBeDefined()
      expect(patch!.find((p) => p.path === '/autosize')?.value?.type, c.name).toBe('fit-x')
      const facet = 'facet' in c.spec
      if (facet) expect(patch!.some((p) => p.op === 'replace' && (p.value as { name?: string })?.name === 'child_width'), c.name).toBe(true)
      const width = Number(/^<svg[^>]* width="(\d+)"/.exec(await renderSvg(c))?.[1])
      expect(width, c.name).toBeGreaterThanOrEqual(900)
    }
  })
})
