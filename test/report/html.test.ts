/**
 * report.html and summary.md open with the findings and the key figures, then HTML tables (not
 * preformatted text): per-pod rows with share, requests and prediction in cells of their own,
 * figures right-aligned with their units, everything escaped; the gate's checks as a table.
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { buildCharts, reportHtml } from '../../harness/report/write.ts'
import { summaryMarkdown } from '../../harness/report/markdown.ts'
import type { RunResult } from '../../harness/model/results.ts'
import type { GateResult } from '../../harness/model/gate-result.ts'

const load = (name: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/results/${name}`, import.meta.url), 'utf8')) as RunResult
const crash = load('pod-crash-3-variants.json')
const nat = load('nat-ip-hash.json')
/** The page without the inlined libraries (their code holds HTML of its own). */
const content = (html: string) => html.slice(html.indexOf('<main class="content">'))

describe('report.html', () => {
  it('orders the header, findings, tiles, comparison, failover, then the charts, inside the content column', async () => {
    const html = content(await reportHtml(crash, buildCharts(crash)))
    const at = (s: string) => html.indexOf(s)
    const order = ['<header>', '<section id="findings">', '<section id="kpis">', '<section id="comparison">', '<section id="failover">', '<div class="chart" id="chart-pod-share"></div>', '</main>', 'window.svcbenchRendered = Promise.all(']
    for (const s of order) expect(at(s), s).toBeGreaterThan(-1)
    expect(order.map(at)).toEqual(order.map(at).sort((a, b) => a - b))
  })

  it('draws the comparison as an HTML table with a row per pod: share, requests and prediction in cells of their own', async () => {
    const html = content(await reportHtml(crash, []))
    expect(html).not.toContain('<pre')
    expect(html).toContain('<table class="comparison">')
    expect(html).toContain('<th scope="col" colspan="3">iptables</th>')
    // pod-1 of iptables: 31.2% of the requests, 11,749 of them, no prediction (faults changed who could take traffic).
    expect(html).toContain('<tr><th scope="row">pod-1 <span class="node">(node-a)</span></th><td class="num" data-sort="0.312034">31.2%</td><td class="num" data-sort="11749">11,749</td><td>—</td>')
    // With a prediction: pod-1 of distinct-clients, 16.4% observed against 16.0% predicted.
    expect(content(await reportHtml(nat, []))).toContain('<td class="num" data-sort="0.164018">16.4%</td><td class="num" data-sort="5409">5,409</td><td class="num" data-sort="0.160156">16.0%</td>')
  })

  it('right-aligns every figure with its unit, and sorts it by its value', async () => {
    const html = content(await reportHtml(crash, []))
    expect(html).toContain('<tr><th scope="row">throughput</th><td class="num" data-sort="3741.429" colspan="3">3,741 req/s</td>')
    expect(html).toContain('<td class="num" data-sort="26.335" colspan="3">26.3 ms</td>')
    // Every cell with a sort value is right-aligned, and every right-aligned cell has one.
    const tds = [...html.matchAll(/<td[^>]*>/g)].map((m) => m[0])
    expect(tds.filter((t) => t.includes('data-sort=')).every((t) => t.includes('class="num"'))).toBe(true)
    expect(tds.filter((t) => t.includes('class="num"')).every((t) => t.includes('data-sort='))).toBe(true)
    // A failover row per fault per variant, its lost requests a figure.
    expect(html.match(/<tr><td>[^<]+<\/td><td>(kill|recover|fail)-pod/g)).toHaveLength(9)
    expect(html).toContain('<td>iptables</td><td>kill-pod pod-2</td><td class="num" data-sort="3.005">3.00s</td><td class="num" data-sort="3.072">3.07s</td><td>2.50–4.50s</td><td>inside</td><td class="num" data-sort="3313">3,313</td>')
    // The sort script ships inline.
    expect(html).toContain("document.addEventListener('click'")
  })

  it('escapes a variant named <b>x</b> everywhere', async () => {
    const evil = { ...crash, variants: [{ ...crash.variants[0]!, name: '<b>x</b>' }, crash.variants[1]!] }
    const html = content(await reportHtml(evil, buildCharts(evil)))
    expect(html).not.toContain('<b>x</b>')
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;')
    // Outside the fenced text table (where Markdown shows it as written).
    const md = summaryMarkdown(evil, []).replace(/```[\s\S]*?```/g, '')
    expect(md).not.toMatch(/<b>x<\/b>/)
    expect(md).toContain('- **&lt;b&gt;x&lt;/b&gt;**: ')
  })

  it('gives the gate its section with every check as a table row', async () => {
    const gate = {
      verdict: 'fail',
      mode: 'baseline',
      thresholds: [{ variant: 'iptables', path: 'latency.p99', condition: '< 20ms', limit: 20, measured: 26.335, pass: false }],
      comparisons: [{ variant: 'iptables', path: 'requests.rps', better: 'higher', mode: 'ratio', baseline: 4000, current: 3741.429, change: -0.0646, ci: [-0.09, -0.04], pValue: 0.008, trials: { baseline: 5, current: 5 }, verdict: 'regression', reason: '', test: 'mann-whitney' }],
      baseline: { name: 'main', file: 'reports/baselines/main.json', savedAt: '2026-11-01T00:00:00.000Z', machine: '2 × AMD EPYC' },
      paired: null,
      confirm: null,
      options: { minChange: 0.05, alpha: 0.05, normalize: false, trials: 5 },
      aborted: null,
      notes: [],
    } as GateResult
    const html = content(await reportHtml({ ...crash, gate }, []))
    expect(html).toContain('<section id="gate"><h2>Gate: FAIL</h2>')
    expect(html).toContain('<table class="gate sortable">')
    expect(html).toContain('<td class="fail">FAIL</td><td>iptables</td><td>latency.p99</td><td>&lt; 20ms</td><td class="num" data-sort="26.335">26.335 ms</td>')
    expect(html).toContain('<td class="fail">REGRESSION</td><td>iptables</td><td>requests.rps</td><td class="num" data-sort="4000">4,000</td><td class="num" data-sort="3741.429">3,741.4</td><td class="num" data-sort="-0.0646">-6.5%</td>')
  })
})

describe('report.html under --pair and for UDP', () => {
  it('shows the pairs under the checks, and the UDP flows as tables', async () => {
    const [a, b] = crash.variants as [RunResult['variants'][number], RunResult['variants'][number]]
    const pairs = [{ pair: 1, first: 'baseline' as const, disturbed: false }, { pair: 2, first: 'candidate' as const, disturbed: true }]
    const gate = {
      verdict: 'pass', mode: 'paired', thresholds: [], baseline: null, confirm: null, aborted: null, notes: [],
      comparisons: [{ variant: b.name, path: 'requests.rps', better: 'higher', mode: 'ratio', baseline: 3741, current: 3692, change: -0.013, ci: [-0.02, 0], pValue: 0.5, trials: { baseline: 1, current: 1 }, verdict: 'unchanged', reason: 'not significant', test: 'wilcoxon-signed-rank', pairs: [{ pair: 1, change: -0.013 }] }],
      paired: { baseline: a.name, candidate: b.name, pairs, used: [1] },
      options: { minChange: 0.05, alpha: 0.05, normalize: false, trials: 2 },
    } as GateResult
    const udp = { sourcePort: 'fixed' as const, flows: 9, pods: [{ name: 'pod-1', queriesAnswered: 120, flows: 5 }], clients: [{ client: 'c', pods: ['pod-1'], answered: 120, lost: 7 }], clientsOnOnePod: 1 }
    const fault = { ...a.failover[0]!, udp: { flowsOnDeadEndpoint: 4, flowsStuck: 3, queriesLost: 80, lastLostSec: 1.6, flowsMoved: 3, lastMovedAtSec: 3.02, flowsBackOnSamePod: 0, flowsNeverAnswered: 0 } }
    const html = content(await reportHtml({ ...crash, variants: [{ ...a, udp, failover: [fault] }, b], gate }, []))
    expect(html).toContain('<table class="pairs sortable">')
    expect(html).toContain('<td class="num" data-sort="1">1</td><td>A B</td><td>-1.3%</td>')
    expect(html).toContain('<td>disturbed</td>')
    expect(html).toContain('<td>ok: not significant</td><td>ipvs-rr</td><td>requests.rps</td>')
    expect(html).toContain('<td>iptables</td><td>fixed</td><td class="num" data-sort="9">9</td><td class="num" data-sort="1">1/1</td><td class="num" data-sort="7">7</td>')
    expect(html).toContain('<td>iptables</td><td>kill-pod pod-2</td><td class="num" data-sort="4">4</td><td class="num" data-sort="3">3</td><td class="num" data-sort="80">80</td>')
  })
})

describe('summary.md', () => {
  it('opens with the findings, then the key figures as a Markdown table, then the comparison', () => {
    const md = summaryMarkdown(crash, [])
    expect(md.startsWith('# svcbench: pod-crash\n\nkill a pod mid-run: errors until the probe notices, per kube-proxy mode\n\n## Findings\n\n- **iptables**: iptables L4, closed: 3,741 req/s;')).toBe(true)
    expect(md).toContain('| variant | req/s | p50 | p99 | errors | Jain | lost to faults |\n|---|---:|---:|---:|---:|---:|---:|\n| iptables | 3,741 req/s | 7.49 ms | 26.3 ms | 9.12% (3,736) | 0.852 | 3,736 req |')
    expect(md).toContain('| userspace | 4,291 req/s (+14.7%, better) |')
    expect(md.indexOf('## Key figures')).toBeLessThan(md.indexOf('## Comparison'))
    expect(md).toContain('- userspace: 15% more throughput than iptables')
  })
})
