import { describe, expect, it } from 'vitest'
import { decodeLoadResult, encodeLoadResult } from '../../../harness/dataplane/kernel/wire.ts'
import { createLatencyHistogram, recordMs, summarizeLatency } from '../../../harness/stats/latency.ts'
import type { LoadResult } from '../../../harness/model/measurements.ts'

const hist = (...ms: number[]) => {
  const h = createLatencyHistogram()
  for (const x of ms) recordMs(h, x)
  return h
}

describe('encodeLoadResult', () => {
  it('carries every histogram of a load result across IPC, the open model\'s service latency and schedule lag included', () => {
    const r = { latency: hist(1, 2, 2000), perSecondHistograms: [hist(1), hist(2, 2000)], serviceLatency: hist(0.5, 1.5), scheduleLag: hist(0.1, 0.2, 7), responses: 3 } as unknown as LoadResult
    const back = decodeLoadResult(JSON.parse(JSON.stringify(encodeLoadResult(r))))
    expect(summarizeLatency(back.latency)).toEqual(summarizeLatency(r.latency))
    expect(back.perSecondHistograms.map(summarizeLatency)).toEqual(r.perSecondHistograms.map(summarizeLatency))
    expect(summarizeLatency(back.serviceLatency!)).toEqual(summarizeLatency(r.serviceLatency!))
    expect(summarizeLatency(back.scheduleLag!)).toEqual(summarizeLatency(r.scheduleLag!))
    expect(back.responses).toBe(3)
  })

  it('keeps a closed-model result without the open model\'s histograms as it was', () => {
    const r = { latency: hist(1), perSecondHistograms: [], scheduleLag: null } as unknown as LoadResult
    const back = decodeLoadResult(JSON.parse(JSON.stringify(encodeLoadResult(r))))
    expect(back.serviceLatency).toBeUndefined()
    expect(back.scheduleLag).toBeNull()
  })
})
