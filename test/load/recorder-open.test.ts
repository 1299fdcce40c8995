import { describe, expect, it } from 'vitest'
import { createLoadRecorder, type ScheduledOutcome } from '../../harness/load/recorder.ts'
import { summarizeLatency } from '../../harness/stats/latency.ts'

// Synthetic Date.now() times: the measured phase starts at EPOCH; the request timeout is 2 s.
const EPOCH = 1_000_000
const TIMEOUT_MS = 2000

/** An outcome: sent `lagMs` after its intended start, ended `tookMs` after it. */
function outcome(intendedAtMs: number, o: Partial<ScheduledOutcome> & { lagMs?: number; tookMs?: number }): ScheduledOutcome {
  const lag = o.lagMs ?? 0.1
  const took = o.tookMs ?? 5
  const timedOut = o.kind === 'timeout' || (o.kind === null && o.status === undefined)
  return {
    intendedAtMs,
    handledAtMs: intendedAtMs + lag,
    sentAtMs: o.sentAtMs ?? intendedAtMs + lag,
    doneAtMs: intendedAtMs + (timedOut ? TIMEOUT_MS : took),
    status: o.status ?? 0,
    kind: o.kind === undefined ? null : o.kind,
    code: o.code,
    latencyMs: timedOut ? TIMEOUT_MS : took,
  }
}

describe('createLoadRecorder (open model)', () => {
  it('measures latency from the intended start, service latency from the write', () => {
    const r = createLoadRecorder({ epochMs: EPOCH, model: 'open' })
    // Held 30 ms by the generator, then answered 2 ms after the write: 32 ms for the user.
    r.outcome(outcome(EPOCH + 10, { status: 200, lagMs: 30, tookMs: 32 }))
    const res = r.result(EPOCH + 1000, false)
    expect(summarizeLatency(res.latency).max).toBeCloseTo(32, 1)
    expect(summarizeLatency(res.serviceLatency!).max).toBeCloseTo(2, 1)
    expect(summarizeLatency(res.scheduleLag!).max).toBeCloseTo(30, 1)
  })

  it('censors timeouts and drops at the request timeout and counts drops apart from errors', () => {
    const r = createLoadRecorder({ epochMs: EPOCH, model: 'open' })
    for (let i = 0; i < 96; i++) r.outcome(outcome(EPOCH + i * 10, { status: 200, tookMs: 1 }))
    r.outcome(outcome(EPOCH + 960, { kind: 'timeout' }))
    r.outcome(outcome(EPOCH + 970, { kind: 'timeout' }))
    r.outcome({ ...outcome(EPOCH + 980, { kind: null }), sentAtMs: Number.NaN }) // dropped
    r.outcome(outcome(EPOCH + 990, { kind: 'reset', code: 'ECONNRESET', tookMs: 40 }))
    const res = r.result(EPOCH + 1000, false)
    expect([res.scheduled, res.sent, res.dropped, res.responses]).toEqual([100, 99, 1, 96])
    expect(res.errorsByKind).toMatchObject({ timeout: 2, reset: 1 })
    expect(res.errorsByCode).toEqual({ TIMEOUT: 2, ECONNRESET: 1 })
    const lat = summarizeLatency(res.latency)
    // 3 of 100 at the timeout: p99 lands on it (censored), and nothing lies beyond it.
    expect(lat.count).toBe(100)
    expect(lat.p99).toBeGreaterThanOrEqual(TIMEOUT_MS)
    expect(lat.max).toBeLessThan(TIMEOUT_MS * 1.001)
    expect(summarizeLatency(res.serviceLatency!).count).toBe(96)
    expect(res.droppedPer100ms![9]).toBe(1)
    // Drops are no errors: the live error counts (abortOnFail) leave them out.
    expect(r.progress().measured).toEqual({ requests: 99, errors: 3 })
  })

  it('places every figure in the second of the intended start, completed and in flight by the clock', () => {
    const r = createLoadRecorder({ epochMs: EPOCH, model: 'open' })
    // Second 0: one answered in 5 ms, one timing out (2 s later, in second 2); second 1: one answered after 1.5 s (ends in second 2).
    r.outcome(outcome(EPOCH + 100, { status: 200 }))
    r.outcome(outcome(EPOCH + 900, { kind: 'timeout' }))
    r.outcome(outcome(EPOCH + 1200, { status: 200, tookMs: 1500 }))
    const res = r.result(EPOCH + 2000, false)
    expect(res.perSecond.map((s) => [s.scheduled, s.responses, s.errors, s.completed, s.inFlight])).toEqual([
      [2, 1, 1, 1, 1],
      [1, 1, 0, 0, 2],
      [0, 0, 0, 2, 0],
    ])
    expect(res.perSecond[0]!.latency.max).toBeCloseTo(TIMEOUT_MS, -1)
    expect(res.errorEvents).toEqual([{ tMs: 900, kind: 'timeout' }])
    expect(res.completedPer100ms!.slice(0, 2)).toEqual([0, 1])
  })

  it('leaves requests scheduled in the warm-up out of the result, whenever they end', () => {
    const r = createLoadRecorder({ epochMs: EPOCH, model: 'open' })
    r.outcome(outcome(EPOCH - 10, { status: 200, tookMs: 50 }))
    r.outcome(outcome(EPOCH - 5, { kind: null }))
    r.outcome(outcome(EPOCH + 10, { status: 200 }))
    const res = r.result(EPOCH + 1000, false)
    expect([res.scheduled, res.responses, res.dropped, summarizeLatency(res.latency).count, summarizeLatency(res.scheduleLag!).count]).toEqual([1, 1, 0, 1, 1])
    expect(r.progress().responses).toBe(2)
  })
})

describe('createLoadRecorder (closed model)', () => {
  it('puts a failed request into the latency when the executor gives its time, and leaves the service latency to responses', () => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    for (let i = 0; i < 50; i++) r.response(200, 2, EPOCH + i)
    r.transportError('timeout', undefined, EPOCH + 2100, TIMEOUT_MS)
    r.transportError('reset', 'ECONNRESET', EPOCH + 2200, 7)
    const res = r.result(EPOCH + 3000, false)
    const lat = summarizeLatency(res.latency)
    expect(lat.count).toBe(52)
    expect(lat.max).toBeGreaterThanOrEqual(TIMEOUT_MS)
    expect(lat.p99).toBeGreaterThanOrEqual(TIMEOUT_MS)
    expect(summarizeLatency(res.serviceLatency!)).toMatchObject({ count: 50, max: 2 })
    expect([res.scheduled, res.sent, res.dropped, res.scheduleLag]).toEqual([52, 52, 0, null])
    // By the time it ended, as the closed model counts.
    expect(res.perSecond.map((s) => s.completed)).toEqual([50, 0, 2])
    expect(res.perSecond[2]!.inFlight).toBeUndefined()
  })
})
