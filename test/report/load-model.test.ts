/**
 * What the reports say about the load model, on a results file of a hung pod under the open
 * and the closed model (test/integration/open-model.test.ts wrote it): which model ran,
 * percentiles censored at the timeout, the warnings, and the scheduled-vs-completed chart.
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { comparisonTable, latencyText, loadLabel, variantWarnings } from '../../harness/report/table.ts'
import { summaryMarkdown } from '../../harness/report/markdown.ts'
import { buildCharts, renderSvg, reportHtml } from '../../harness/report/write.ts'
import { variantMetrics } from '../../harness/gate/metrics.ts'
import { isKnownPath, parseCondition } from '../../harness/gate/thresholds.ts'
import { specFor } from '../../harness/gate/verdict.ts'
import type { RunResult } from '../../harness/model/results.ts'

const result = JSON.parse(fs.readFileSync(new URL('../fixtures/results/hang-closed-vs-open.json', import.meta.url), 'utf8')) as RunResult
const [open, closed] = result.variants

describe('the comparison table and reports under the open model', () => {
  it('name the model that ran', () => {
    expect(loadLabel(open!)).toBe('open 300/s, no keep-alive')
    expect(loadLabel(closed!)).toBe('closed, 6 conn, no keep-alive')
    expect(loadLabel({ load: { ...open!.load!, ratesRps: [0, 500, 4000], arrival: 'poisson', keepAlive: true } })).toBe('open 0→500→4,000/s poisson')
    // Results written before the load block: the closed model was all there was.
    expect(loadLabel({})).toBe('closed')
    expect(comparisonTable(result)).toMatch(/^load +open 300\/s, no keep-alive +closed, 6 conn, no keep-alive$/m)
  })

  it.each([
    [2000, 2000, '≥ 2000'],
    [2000, 2001.5, '≥ 2000'],
    [2000, 1998.5, '≥ 2000'], // within the HDR histogram's 0.1%: indistinguishable from the timeout
    [2000, 1990, '1990'],
    [1000, 5.5, '5.50'],
  ])('print a percentile at a %d ms timeout, %d ms, as %s', (timeoutMs, x, text) => {
    expect(latencyText({ load: { ...open!.load!, requestTimeoutMs: timeoutMs } }, x)).toBe(text)
  })

  it('print censored percentiles as ≥ the timeout in the table, its failover rows and the Markdown', () => {
    const table = comparisonTable(result)
    expect(table).toMatch(/^latency p99 ms +≥ 1000 +≥ 1000$/m)
    expect(table).toMatch(/hang-pod pod-2 .* \/ ≥ 1000 \//)
    expect(summaryMarkdown(result, [])).toContain('≥ 1000')
  })

  it('carry every variant warning into the report and the Markdown', async () => {
    const w = variantWarnings(result)
    expect(w.some((x) => x.startsWith('variant "closed": hang-pod pod-2 at 1.04s: the 6 closed-model clients'))).toBe(true)
    expect(summaryMarkdown(result, [])).toContain('## Warnings')
    const html = await reportHtml(result, [])
    expect(html).toContain('<h2>Warnings</h2>')
    expect(html).toContain('load model: open open 300/s, no keep-alive · closed closed, 6 conn, no keep-alive')
  })
})

describe('the scheduled-vs-completed chart', () => {
  const chart = buildCharts(result).find((c) => c.name === 'scheduled-vs-completed')
  it('is built for open-model variants only, and renders', async () => {
    expect(chart).toBeDefined()
    const rows = (chart!.spec as { data: { values: { kind: string; variant: string; outcome: string; tSec: number; perSec: number }[] } }).data.values.filter((r) => r.kind === 'series')
    expect(new Set(rows.map((r) => r.variant))).toEqual(new Set(['open']))
    // Each second's bars add up to what was scheduled in it.
    const second1 = rows.filter((r) => r.tSec === 1 && r.outcome !== 'completed').reduce((a, r) => a + r.perSec, 0)
    expect(second1).toBe(open!.timeline[1]!.scheduled)
    expect(rows.find((r) => r.tSec === 1 && r.outcome === 'errors')!.perSec).toBe(open!.timeline[1]!.errors)
    expect(await renderSvg(chart!)).toMatch(/^<svg[\s\S]*<rect|<path/)
    expect(buildCharts({ ...result, variants: [closed!] }).map((c) => c.name)).not.toContain('scheduled-vs-completed')
  })
  it('stays stable (snapshot)', () => {
    expect(chart!.spec).toMatchSnapshot()
  })
})

describe('gate paths of the open model', () => {
  it('are known, flattened and in the right unit and direction', () => {
    const m = variantMetrics(open!)
    const ctx = { pods: open!.pods.map((p) => p.name), nodes: open!.nodes.map((n) => n.name), faults: open!.failover.length }
    // Every path the load model added (cpu.* is not a threshold path, as before).
    expect(Object.keys(m).filter((k) => !k.startsWith('cpu.') && !isKnownPath(k, ctx))).toEqual([])
    expect(Object.keys(m).filter((k) => /^(load|serviceLatency|serviceLatencyMs)\./.test(k)).length).toBe(5 + 2 * 7)
    expect(m['requests.dropped']).toBe(0)
    expect(m['requests.scheduled']).toBe(1050)
    expect(m['serviceLatency.p99']).toBe(open!.serviceLatencyMs!.p99)
    expect(m['load.scheduleLagMs.p99']).toBe(open!.load!.scheduleLagMs!.p99)
    expect(m['failover.0.requestsDropped']).toBe(0)
    expect(parseCondition('serviceLatency.p99', '< 0.5s')).toMatchObject({ limit: 500 })
    expect(parseCondition('load.scheduleLagMs.p99', '< 5ms')).toMatchObject({ limit: 5 })
    expect(specFor('requests.dropped').better).toBe('lower')
    expect(specFor('serviceLatency.p99').better).toBe('lower')
  })
})
