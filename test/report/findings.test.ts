/**
 * findings: the sentences that open every report, on the fixture results and small hand-built
 * ones: every variant named, each fault's cost and detection against its window, the comparison
 * with the first variant (percentages worked by hand), no claim the results do not hold.
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { findingLines, findings, type Finding } from '../../harness/report/findings.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'
import type { FailoverResult } from '../../harness/model/variant-parts.ts'

const load = (name: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/results/${name}`, import.meta.url), 'utf8')) as RunResult
const FIXTURES = ['pod-crash-3-variants.json', 'nat-ip-hash.json', 'hang-closed-vs-open.json'] as const
const crash = load('pod-crash-3-variants.json')
const nat = load('nat-ip-hash.json')
const hang = load('hang-closed-vs-open.json')

const of = (fs: Finding[], variant: string | null, topic: Finding['topic']) => fs.filter((f) => f.variant === variant && f.topic === topic)
const withVariants = (r: RunResult, variants: VariantResult[]): RunResult => ({ ...r, variants })

describe('findings on the fixtures', () => {
  it.each(FIXTURES)('%s: every variant has its load sentence, with req/s and the latencies in ms', (file) => {
    const r = load(file)
    const fs = findings(r)
    for (const v of r.variants) {
      const [l] = of(fs, v.name, 'load')
      expect(l, v.name).toBeDefined()
      expect(l!.text).toMatch(/req\/s/)
      expect(l!.text).toMatch(/p50 [\d.≥ ]+ ms, p99 [\d.≥ ]+ ms/)
    }
  })

  it.each<[string, number, string]>([
    // kill-pod pod-2 of iptables: 3313 resets, detected after 3.072 s in a 2.5–4.5 s window.
    ['iptables', 0, 'kill-pod pod-2 at 3.00s: 3,313 requests lost (reset 3,313); detected after 3.07s, inside the expected 2.50–4.50s'],
    ['ipvs-rr', 0, 'kill-pod pod-2 at 3.00s: 4,126 requests lost (reset 4,126); detected after 3.69s, inside the expected 2.50–4.50s'],
    ['userspace', 1, 'recover-pod pod-2 at 9.24s: no requests lost; detected after 0.51s, inside the expected 0.50–2.50s'],
    // fail-pod: the probes cannot notice a pod answering 5xx (expectedDetectionSec null).
    ['iptables', 2, 'fail-pod pod-1 at 9.50s: 423 requests lost (http-5xx 423); not detected, as expected (the probes cannot notice it)'],
  ])('gives %s fault %d its cost and its detection against the expected window', (variant, i, text) => {
    const fs = of(findings(crash), variant, 'fault')
    expect(fs[i]!.text.startsWith(text), fs[i]!.text).toBe(true)
    expect(fs[i]!.severity).toBe('info')
  })

  it.each<[string, Partial<FailoverResult>, RegExp]>([
    ['late', { detectionSec: 5.2 }, /detected after 5\.20s, later than the expected 2\.50–4\.50s/],
    ['early', { detectionSec: 1.1 }, /detected after 1\.10s, earlier than the expected 2\.50–4\.50s/],
    ['never', { detectionSec: null, detectedAtSec: null }, /never detected \(expected 2\.50–4\.50s\)/],
    ['failed', { failed: 'pod-9 does not exist' }, /did not happen as written: pod-9 does not exist/],
  ])('warns of a fault detected %s', (_, change, text) => {
    const v = crash.variants[0]!
    const f = { ...v.failover[0]!, ...change }
    const [finding] = of(findings(withVariants(crash, [{ ...v, failover: [f] }])), v.name, 'fault')
    expect(finding!.text).toMatch(text)
    expect(finding!.severity).toBe('warn')
  })

  it('compares every later variant with the first, percentages worked by hand', () => {
    const cs = of(findings(crash), null, 'comparison').map((f) => f.text)
    expect(cs).toHaveLength(2)
    // 3692.461 / 3741.429 − 1 = −1.3%: under the 3% floor.
    expect(cs[0]).toMatch(/^ipvs-rr: throughput within noise of iptables \(−1\.3%; 3,692 vs 3,741 req\/s\), p99 28\.0 vs 26\.3 ms \(\+6\.4%\), Jain 0\.854 vs 0\.852 \(within noise\)/)
    // 4290.811 / 3741.429 − 1 = +14.7%: "15% more".
    expect(cs[1]).toMatch(/^userspace: 15% more throughput than iptables \(4,291 vs 3,741 req\/s\)/)
    expect(cs[1]).toContain('332 vs 3,736 requests lost to faults')
    // 15966.878 / 20861.164 − 1 = −23.5%; both splits fit their (hash) predictions.
    expect(of(findings(nat), null, 'comparison')[0]!.text).toBe('distinct-clients: 23% less throughput than one-nat-address (15,967 vs 20,861 req/s), p99 50.7 vs 31.6 ms (+60.5%), Jain 0.999 vs 0.167; both fit their predictions.')
  })

  it('makes no fairness claim where there is no prediction (fitsPrediction null)', () => {
    const fs = findings(crash)
    for (const v of crash.variants) {
      const [f] = of(fs, v.name, 'fairness')
      expect(f!.text).toMatch(/^Jain 0\.85\d over 4 pods .*not tested against a prediction \(no static prediction: 3 faults/)
      expect(f!.text).not.toMatch(/fits|DIFFERS/)
    }
    for (const c of of(fs, null, 'comparison')) expect(c.text).not.toMatch(/prediction/)
  })

  it('says a split fits its prediction, and warns when it differs', () => {
    const [one, distinct] = nat.variants as [VariantResult, VariantResult]
    expect(of(findings(nat), 'distinct-clients', 'fairness')[0]!.text).toContain('the split of clients fits the prediction (χ² p=1.000;')
    const skewed = { ...distinct, fairness: { ...distinct.fairness, fitsPrediction: false, chiSquaredP: 0.0004 } }
    const fs = findings(withVariants(nat, [one, skewed]))
    expect(of(fs, 'distinct-clients', 'fairness')[0]).toMatchObject({ severity: 'warn', text: expect.stringContaining('DIFFERS from the prediction (χ² p<0.001;') })
    expect(of(fs, null, 'comparison')[0]!.text).toMatch(/distinct-clients DIFFERS from its prediction, one-nat-address fits its prediction\.$/)
  })

  it('gives hashing balancers their stickiness, and round-robin none', () => {
    expect(of(findings(nat), 'distinct-clients', 'stickiness')[0]!.text).toBe('hashing (ip-hash): 256 of 256 client addresses stayed on one pod (1.00 pods per client on average, at most 1).')
    expect(findings(crash).filter((f) => f.topic === 'stickiness')).toEqual([])
    const affinity = { ...crash.variants[1]!, sessionAffinity: 'ClientIP' as const }
    expect(of(findings(withVariants(crash, [affinity])), 'ipvs-rr', 'stickiness')[0]!.text).toMatch(/^ClientIP affinity: 0 of 32 client addresses stayed on one pod/)
  })

  it('names the open model\'s offered rate, its latency basis and the generator lag; the closed model\'s blocked clients', () => {
    const fs = findings(hang)
    expect(of(fs, 'open', 'load')[0]!.text).toContain('300 req/s offered, 249 req/s answered of 1,050 requests scheduled, none dropped; latency p50 7.94 ms, p99 ≥ 1000 ms (at the request timeout: censored), from each request\'s intended start')
    expect(of(fs, 'closed', 'load')[0]!.text).toContain('from each request\'s write')
    expect(of(fs, 'open', 'saturation')[0]).toMatchObject({ severity: 'warn', text: expect.stringContaining('lag p99 255 ms, over 5 ms') })
    expect(of(fs, 'closed', 'fault')[0]).toMatchObject({ severity: 'warn', text: expect.stringContaining('the 6 closed-model clients were blocked') })
    // Both p99 sit at the 1000 ms timeout: no difference is claimed.
    expect(of(fs, null, 'comparison')[0]!.text).toContain('p99 ≥ 1000 vs ≥ 1000 ms (both at the request timeout)')
    expect(of(fs, null, 'comparison')[0]!.text).toContain('the load models differ (closed vs open)')
  })
})

describe('findings on hand-built results', () => {
  const base = crash.variants[0]!
  it('puts an interrupted run first', () => {
    const fs = findings({ ...crash, interrupted: true })
    expect(fs[0]).toMatchObject({ variant: null, topic: 'run', severity: 'warn', text: expect.stringMatching(/^Interrupted:/) })
    const partial = findings(withVariants(crash, [{ ...base, interrupted: true, durationSec: 4.2 }]))
    expect(partial[0]).toMatchObject({ variant: 'iptables', topic: 'run', text: 'Stopped before its duration: the figures cover the 4.2 s measured.' })
  })

  it('says the kernel dataplane, saturation, and UDP flows with their lost queries', () => {
    const udp = {
      sourcePort: 'fixed' as const,
      flows: 9,
      pods: [],
      clients: [{ client: 'a', pods: ['pod-1'], answered: 10, lost: 3 }, { client: 'b', pods: ['pod-1', 'pod-2'], answered: 8, lost: 2 }],
      clientsOnOnePod: 1,
    }
    const v: VariantResult = { ...base, dataplane: 'kernel', proxyMode: 'nftables', udp, cpu: { saturated: ['load generator 97%'] } as VariantResult['cpu'] }
    const fs = findings(withVariants(crash, [v]))
    expect(of(fs, 'iptables', 'load')[0]!.text).toMatch(/^kernel dataplane \(kube-proxy's own nftables rules\), nftables L4/)
    expect(of(fs, 'iptables', 'udp')[0]!.text).toBe('UDP, fixed source ports: 9 flows; 1 of 2 clients answered by one pod; 5 queries lost.')
    expect(of(fs, 'iptables', 'saturation')[0]).toMatchObject({ severity: 'warn', text: expect.stringContaining('load generator 97%') })
  })

  it('says "no errors", and warns of errors with no fault to explain them', () => {
    expect(of(findings(nat), 'one-nat-address', 'errors')[0]!.text).toBe('No errors.')
    const v = { ...base, failover: [] }
    expect(of(findings(withVariants(crash, [v])), 'iptables', 'errors')[0]).toMatchObject({ severity: 'warn', text: '3,736 errors (9.1% of requests): reset 3,313, http-5xx 423.' })
  })

  it('ends with the gate verdict and its failures', () => {
    const gate = { verdict: 'fail', mode: 'thresholds', thresholds: [{ variant: 'iptables', path: 'latency.p99', condition: '< 20ms', limit: 20, measured: 26.335, pass: false }], comparisons: [], aborted: null, notes: [] } as unknown as RunResult['gate']
    const fs = findings({ ...crash, gate })
    expect(fs.at(-1)).toMatchObject({ topic: 'gate', severity: 'warn', text: 'Gate: FAIL (1 of 1 check failed): iptables: threshold latency.p99 < 20ms failed: measured 26.335 ms.' })
  })
})

describe('findingLines', () => {
  it('prints each finding on a line of its own for the terminal, the variant first, warnings marked !', () => {
    const lines = findingLines(findings(hang))
    expect(lines[0]).toBe("  open: round-robin=ipvs/rr L4, open 300/s, no keep-alive: 300 req/s offered, 249 req/s answered of 1,050 requests scheduled, none dropped; latency p50 7.94 ms, p99 ≥ 1000 ms (at the request timeout: censored), from each request's intended start.")
    expect(lines).toContain('! open: The load generator fell behind its schedule (lag p99 255 ms, over 5 ms): the latencies include its own delay.')
    expect(lines.at(-1)).toMatch(/^ {2}closed: 27% more throughput than open/)
  })
})

describe('a p99 at the request timeout against one that is not', () => {
  it('gives no percentage (the censored one is only a lower bound) and says whose is at the timeout', () => {
    const r = structuredClone(hang)
    // The closed variant answered quickly; the open one's p99 stays at the 1 s timeout.
    const closed = r.variants.find((v) => v.name === 'closed')!
    closed.latencyMs.p99 = 45.4
    const sentence = findings(r).find((f) => /throughput than open/.test(f.text))!.text
    expect(sentence).toContain("p99 45.4 vs ≥ 1000 ms (open's at the request timeout)")
    expect(sentence).not.toMatch(/p99[^,]*%/)
  })
})
