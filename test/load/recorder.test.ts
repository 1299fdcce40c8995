import { describe, expect, it } from 'vitest'
import { createLoadRecorder, MAX_ERROR_EVENTS } from '../../harness/load/recorder.ts'
import type { ErrorKind } from '../../harness/model/variant-parts.ts'

// Synthetic Date.now() times: the measured phase starts at EPOCH.
const EPOCH = 1_000_000

describe('createLoadRecorder', () => {
  it('counts each response in the second of the measured phase it arrived in', () => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    for (const [dt, status, ms] of [
      [0, 200, 1],
      [999, 200, 3],
      [1000, 500, 5],
      [2500, 200, 7],
      [2999, 404, 9],
    ] as const) {
      r.response(status, ms, EPOCH + dt)
    }
    r.transportError('reset', 'ECONNRESET', EPOCH + 1500)
    const res = r.result(EPOCH + 3010, false)
    expect(res.perSecond.map((s) => [s.responses, s.ok, s.errors])).toEqual([
      [2, 2, 0],
      [1, 0, 2], // the 500 and the reset: a transport error is an error, not a response
      [2, 1, 1],
    ])
    expect(res.perSecond.map((s) => s.latency.count)).toEqual([2, 1, 2])
    expect(res.perSecond[1]!.latency.p50).toBeCloseTo(5, 2)
    expect(res.perSecondHistograms.map((h) => h.totalCount)).toEqual([2, 1, 2])
    expect([res.responses, res.ok, res.latency.totalCount]).toEqual([5, 3, 5])
    expect(res.elapsedMs).toBe(3010)
  })

  it('counts goodput (status < 400) per 100 ms slot, empty slots as 0', () => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    for (const [dt, status] of [
      [50, 200],
      [99, 302],
      [100, 200],
      [150, 503],
      [350, 200],
      [360, 404],
    ] as const) {
      r.response(status, 1, EPOCH + dt)
    }
    expect(r.result(EPOCH + 400, false).okPer100ms).toEqual([2, 1, 0, 1])
  })

  it('leaves warm-up (before the epoch) out of the result but not out of the live counters', () => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    r.response(200, 1, EPOCH - 500)
    r.response(503, 1, EPOCH - 1)
    r.transportError('reset', 'ECONNRESET', EPOCH - 1)
    r.response(200, 2, EPOCH)
    r.transportError('connect-refused', 'ECONNREFUSED', EPOCH + 10)
    expect(r.progress()).toEqual({ responses: 3, errors: 3, measured: { requests: 2, errors: 1 } })
    const res = r.result(EPOCH + 100, false)
    expect([res.responses, res.ok, res.latency.totalCount]).toEqual([1, 1, 1])
    expect(res.statusCounts).toEqual({ 200: 1 })
    expect(res.errorsByCode).toEqual({ ECONNREFUSED: 1 })
    expect(res.errorEvents).toEqual([{ tMs: 10, kind: 'connect-refused' }])
    expect(res.perSecond).toHaveLength(1)
    // Stopped during warm-up: nothing measured, no negative time.
    expect(createLoadRecorder({ epochMs: EPOCH }).result(EPOCH - 50, true)).toMatchObject({ elapsedMs: 0, interrupted: true, responses: 0, perSecond: [] })
  })

  it.each([
    ['a 503', 'http-5xx', 'HTTP_503', { status: 503 }],
    ['a 500', 'http-5xx', 'HTTP_500', { status: 500 }],
    ['a 404', 'other', 'HTTP_404', { status: 404 }],
    ['a reset', 'reset', 'ECONNRESET', { kind: 'reset', code: 'ECONNRESET' }],
    ['a refused connect', 'connect-refused', 'ECONNREFUSED', { kind: 'connect-refused', code: 'ECONNREFUSED' }],
    ['an errno timeout', 'timeout', 'TIMEOUT', { kind: 'timeout', code: 'ETIMEDOUT' }],
    ['a timeout without errno', 'timeout', 'TIMEOUT', { kind: 'timeout', code: undefined }],
    ['an error without errno', 'other', 'UNKNOWN', { kind: 'other', code: undefined }],
  ] as const)('classifies %s as %s, code %s', (_name, kind, code, what) => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    if ('status' in what) r.response(what.status, 1, EPOCH + 250)
    else r.transportError(what.kind, what.code, EPOCH + 250)
    const res = r.result(EPOCH + 1000, false)
    expect(res.errorsByKind[kind]).toBe(1)
    expect(Object.values(res.errorsByKind).reduce((a, b) => a + b, 0)).toBe(1)
    expect(res.errorsByCode).toEqual({ [code]: 1 })
    expect(res.errorEvents).toEqual([{ tMs: 250, kind }])
    expect(res.errorsPer100ms[2]![['connect-refused', 'reset', 'timeout', 'http-5xx', 'other'].indexOf(kind)]).toBe(1)
    expect(res.ok).toBe(0)
    expect(res.statusCounts).toEqual('status' in what ? { [what.status]: 1 } : {})
  })

  it(`keeps the first ${MAX_ERROR_EVENTS} error events and exact counts beyond them`, () => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    const extra = 1500
    const kinds: ErrorKind[] = ['reset', 'timeout']
    // One error every 0.05 ms: 20 per ms, 2000 per 100 ms slot.
    for (let i = 0; i < MAX_ERROR_EVENTS + extra; i++) r.transportError(kinds[i % 2]!, 'ECONNRESET', EPOCH + Math.floor(i / 20))
    const res = r.result(EPOCH + 20_000, false)
    expect(res.errorEvents).toHaveLength(MAX_ERROR_EVENTS)
    expect(res.errorEvents.at(-1)).toEqual({ tMs: Math.floor((MAX_ERROR_EVENTS - 1) / 20), kind: 'timeout' })
    expect(res.errorsByKind).toMatchObject({ reset: (MAX_ERROR_EVENTS + extra) / 2, timeout: (MAX_ERROR_EVENTS + extra) / 2 })
    const slotTotal = res.errorsPer100ms.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0)
    expect(slotTotal).toBe(MAX_ERROR_EVENTS + extra)
    expect(res.errorsPer100ms[0]).toEqual([0, 1000, 1000, 0, 0])
    // The last slot is partly filled: it holds exactly what fell in it.
    const lastSlot = Math.floor((MAX_ERROR_EVENTS + extra - 1) / 20 / 100)
    expect(res.errorsPer100ms).toHaveLength(lastSlot + 1)
    expect(res.errorsPer100ms[lastSlot]!.reduce((a, b) => a + b, 0)).toBe(MAX_ERROR_EVENTS + extra - lastSlot * 2000)
  })

  it('counts the distinct source addresses connections were set up with', () => {
    const r = createLoadRecorder({ epochMs: EPOCH })
    for (const a of ['127.0.0.2', '127.0.0.3', '127.0.0.2']) r.sourceAddress(a)
    expect(r.result(EPOCH, false).clientAddressesUsed).toBe(2)
  })
})
