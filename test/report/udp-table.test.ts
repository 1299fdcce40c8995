/** udpLines: the UDP tables under the comparison table, only for variants that ran UDP. */
import { describe, expect, it } from 'vitest'
import { udpLines } from '../../harness/report/udp-table.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'

const udpVariant = {
  name: 'none',
  udp: { sourcePort: 'fixed', flows: 9, pods: [{ name: 'pod-1', queriesAnswered: 120, flows: 5 }, { name: 'pod-2', queriesAnswered: 60, flows: 4 }], clients: [{ client: 'a', pods: ['pod-1'], answered: 1, lost: 0 }], clientsOnOnePod: 1 },
  failover: [{ fault: 'kill-pod', pods: ['pod-2'], udp: { flowsOnDeadEndpoint: 4, flowsStuck: 4, queriesLost: 80, lastLostSec: 1.6, flowsMoved: 4, lastMovedAtSec: 3.02, flowsBackOnSamePod: 0, flowsNeverAnswered: 0 } }],
} as unknown as VariantResult

describe('udpLines', () => {
  it('prints nothing for TCP variants', () => {
    expect(udpLines([{ name: 'tcp', failover: [] } as unknown as VariantResult])).toEqual([])
  })
  it('prints per pod queries answered / flows and what each fault cost the pinned flows', () => {
    const text = udpLines([udpVariant]).join('\n')
    expect(text).toMatch(/none\s+fixed\s+9\s+1\/1\s+pod-1 120\/5  pod-2 60\/4/)
    expect(text).toMatch(/none\s+kill-pod pod-2\s+4\s+4\s+80\s+1\.60s\s+4 \(3\.02s\)\s+0\s+0/)
  })
})

describe('the comparison table of a UDP Service', () => {
  it('says what the pods saw as source without calling it TCP; a TCP run keeps "TCP source"', async () => {
    const fs = await import('node:fs')
    const { comparisonRows } = await import('../../harness/report/rows.ts')
    const tcp = JSON.parse(fs.readFileSync(new URL('../fixtures/results/nat-ip-hash.json', import.meta.url), 'utf8')) as RunResult
    const label = (r: RunResult) => comparisonRows(r).tail.map((row) => row.label).find((l) => l.startsWith('pods see'))
    expect(label(tcp)).toBe('pods see (TCP source)')
    const udp = { ...tcp, variants: tcp.variants.map((v) => ({ ...v, udp: udpVariant.udp })) }
    expect(label(udp)).toBe('pods see (source)')
  })
})

describe('a fault\'s p99 windows', () => {
  it('shows an empty window (no response, p99 0) as —, a censored one as ≥ the timeout', async () => {
    const { phaseP99Text } = await import('../../harness/report/rows.ts')
    const v = { load: { requestTimeoutMs: 2000 } } as unknown as VariantResult
    const f = { latencyMs: { before: { p99: 4.02 }, during: { p99: 2001.9 }, after: { p99: 0 } } }
    expect(phaseP99Text(v, f)).toBe('4.02 / ≥ 2000 / —')
  })
})
