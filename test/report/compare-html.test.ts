/**
 * The comparison page and its Markdown: both runs in the header, what changed before the tables,
 * a table per matched pair with a's and b's values side by side, changes marked better or worse,
 * the charts' containers as the browser test waits on them, and every name escaped.
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { comparisonReportHtml, writeComparisonReport } from '../../harness/report/compare-html.ts'
import { comparisonMarkdown } from '../../harness/report/compare-markdown.ts'
import { compareRuns, overlayResult } from '../../harness/report/compare.ts'
import { buildCharts } from '../../harness/report/write.ts'
import type { RunResult } from '../../harness/model/results.ts'

const fixture = () => JSON.parse(fs.readFileSync(new URL('../fixtures/results/pod-crash-3-variants.json', import.meta.url), 'utf8')) as RunResult

/** Run a as the fixture, run b a day later with iptables' p99 +30% and ipvs-rr's p99 −30%. */
function twoRuns(): [RunResult, RunResult] {
  const a = fixture()
  const b = fixture()
  b.startedAt = '2026-11-27T07:59:29.487Z'
  b.variants[0]!.latencyMs.p99 = a.variants[0]!.latencyMs.p99 * 1.3
  b.variants[1]!.latencyMs.p99 = a.variants[1]!.latencyMs.p99 * 0.7
  return [a, b]
}

/** The `<tr>` of a metric in the table of a pair (the tables in page order). */
function row(html: string, pairIndex: number, label: string): string {
  const section = html.split('<section class="pair">')[pairIndex + 1]!.split('</section>')[0]!
  return section.split('<tr').find((r) => r.includes(`<th scope="row">${label}</th>`)) ?? ''
}

describe('comparisonReportHtml', () => {
  it('names both runs, puts what changed before the tables and the charts, and keeps the charts\' containers', async () => {
    const [a, b] = twoRuns()
    const cmp = compareRuns(a, b, ['mon', 'tue'])
    const charts = buildCharts(overlayResult(a, b, cmp.labels))
    const html = await comparisonReportHtml(cmp, charts)
    expect(html).toMatch(/<tr><th scope="row">mon<\/th><td>pod-crash<\/td><td>2026-11-26T07:59:29.487Z<\/td><td>2 CPUs \(AMD EPYC\), linux\/x64<\/td><td>svcbench 0\.1\.0, Node v20\.20\.2<\/td>/)
    expect(html).toContain('<tr><th scope="row">tue</th><td>pod-crash</td><td>2026-11-27T07:59:29.487Z</td>')
    const changed = html.indexOf('<h2>What changed</h2>')
    expect(changed).toBeGreaterThan(0)
    expect(changed).toBeLessThan(html.indexOf('<table class="metrics">'))
    expect(html).toContain('<li>iptables: p99 +30% worse (26.3 → 34.2 ms)</li>')
    for (const c of charts) {
      expect(html).toContain(`<div class="chart" id="chart-${c.name}"></div>`)
      expect(html.indexOf(`id="chart-${c.name}"`)).toBeGreaterThan(html.lastIndexOf('<table'))
    }
    expect(html).toContain("window.svcbenchRendered = Promise.all(charts.map((c) => vegaEmbed('#chart-' + c.id, c.spec, { actions: false, renderer: 'svg' })));")
    // Offline: the libraries are inline, nothing is fetched.
    expect(html).not.toMatch(/<script[^>]+src=/)
  })

  it('puts a and b side by side per pair, right-aligned with units, the change marked worse or better (lower latency is better)', async () => {
    const [a, b] = twoRuns()
    const html = await comparisonReportHtml(compareRuns(a, b, ['mon', 'tue']), [])
    expect(html).toContain('<thead><tr><th>metric</th><th class="num">mon</th><th class="num">tue</th><th class="num">change</th><th>verdict</th></tr></thead>')
    expect(row(html, 0, 'p99')).toBe(' class="worse"><th scope="row">p99</th><td class="num">26.3 ms</td><td class="num">34.2 ms</td><td class="num change">+30%</td><td class="verdict"><b>worse</b></td></tr>\n')
    expect(row(html, 1, 'p99')).toContain('class="better"')
    expect(row(html, 1, 'p99')).toContain('<td class="num change">−30%</td>')
    expect(row(html, 2, 'throughput')).toBe(' class="same"><th scope="row">throughput</th><td class="num">4,291 req/s</td><td class="num">4,291 req/s</td><td class="num change">±0%</td><td class="verdict">the same</td></tr>\n')
    // Per-pod shares in their own table, side by side too.
    expect(html.split('<section class="pair">')[1]).toContain('<table class="shares"><thead><tr><th>pod</th><th class="num">mon</th><th class="num">tue</th>')
    expect(row(html, 0, 'pod-2 share')).toContain('<td class="num">6.96%</td><td class="num">6.96%</td>')
  })

  it('escapes variant names, labels and notes', async () => {
    const [a, b] = twoRuns()
    const evil = '<img src=x onerror=alert(1)>'
    a.variants[0]!.name = evil
    b.variants[0]!.name = evil
    b.machine.cpuModel = '"><script>alert(2)</script>'
    const html = await comparisonReportHtml(compareRuns(a, b, ['<b>mon</b>', 'tue & wed']), [])
    expect(html).not.toContain(evil)
    expect(html).not.toContain('<script>alert(2)')
    expect(html).toContain('<h3>&lt;img src=x onerror=alert(1)&gt;</h3>')
    expect(html).toContain('<th class="num">&lt;b&gt;mon&lt;/b&gt;</th><th class="num">tue &amp; wed</th>')
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
  })
})

describe('comparisonMarkdown', () => {
  it('holds the findings, the notes and a table per pair, pipes escaped', () => {
    const [a, b] = twoRuns()
    b.machine.cpus = 8
    a.variants[0]!.name = 'a|b'
    b.variants[0]!.name = 'a|b'
    const md = comparisonMarkdown(compareRuns(a, b, ['mon|1', 'tue']), [{ name: 'pod-share', title: 'Share', spec: {} as never }])
    expect(md).toContain('- a|b: p99 +30% worse (26.3 → 34.2 ms)')
    expect(md).toMatch(/## Read before trusting the changes\n\n- different machines: mon\|1 ran on 2 CPUs/)
    expect(md).toContain('| p99 | 26.3 ms | 34.2 ms | +30% | **worse** |')
    // The labels head the tables' columns: a pipe in one is escaped there.
    expect(md).toContain('| metric | mon\\|1 | tue | change | verdict |\n|---|---:|---:|---:|---|')
    expect(md).toContain('| mon\\|1 | pod-crash |')
    expect(md).toContain('![Share](charts/pod-share.svg)')
  })
})

describe('writeComparisonReport', () => {
  it('writes report.html, summary.md and every overlaid chart as .vl.json and .svg', async () => {
    const [a, b] = twoRuns()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-compare-'))
    try {
      const paths = await writeComparisonReport(a, b, dir, ['mon', 'tue'])
      const names = buildCharts(overlayResult(a, b, ['mon', 'tue'])).map((c) => c.name)
      expect(paths.charts.map((c) => path.basename(c)).sort()).toEqual(names.flatMap((n) => [`${n}.vl.json`, `${n}.svg`]).sort())
      expect(fs.readFileSync(paths.markdown, 'utf8')).toBe(paths.markdownText)
      expect(fs.readFileSync(paths.html, 'utf8')).toContain('svcbench comparison: mon vs tue')
      expect(fs.readFileSync(path.join(dir, 'charts', 'pod-share.vl.json'), 'utf8')).toContain('"tue: userspace"')
      expect(paths.comparison.labels).toEqual(['mon', 'tue'])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 20_000)
})
