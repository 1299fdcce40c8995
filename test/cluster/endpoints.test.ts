import { describe, expect, it } from 'vitest'
import { probeOutcome, startEndpointsController } from '../../harness/cluster/endpoints.ts'
import { HarnessError } from '../../harness/errors.ts'
import type { ResolvedProbe } from '../../harness/model/scenario.ts'

// No probe runs in these tests (the first would be 100 s away): only the termination flow flips.
const probe: ResolvedProbe = { path: '/healthz', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 100 }
const pods = ['pod-1', 'pod-2', 'pod-3'].map((name, i) => ({ name, address: `127.0.0.${10 + i}`, port: 1, nodeAddress: '127.0.0.2' }))

describe('probeOutcome', () => {
  // core/v1 Probe: failureThreshold failures in a row make a ready pod not ready, successThreshold successes ready again.
  it.each([
    { ready: true, outcomes: [false, false, false], thresholds: { failureThreshold: 3, successThreshold: 1 }, changes: [null, null, 'not-ready'] },
    { ready: true, outcomes: [false, false, true, false, false], thresholds: { failureThreshold: 3, successThreshold: 1 }, changes: [null, null, null, null, null] },
    { ready: false, outcomes: [true, true], thresholds: { failureThreshold: 3, successThreshold: 2 }, changes: [null, 'ready'] },
    { ready: false, outcomes: [true, false, true], thresholds: { failureThreshold: 1, successThreshold: 2 }, changes: [null, null, null] },
  ])('$outcomes from ready=$ready gives $changes', ({ ready, outcomes, thresholds, changes }) => {
    const s = { ready, failures: 0, successes: 0, terminating: false, gone: false }
    expect(outcomes.map((ok) => probeOutcome(s, ok, thresholds))).toEqual(changes)
  })
})

describe('startEndpointsController', () => {
  it('publishes the ready and terminating sets propagationMs after a flip', async () => {
    const published: [string[], string[]][] = []
    const c = startEndpointsController({ pods, probe, propagationMs: 10, rng: () => 0, publish: async (r, t) => void published.push([r, t]) })
    try {
      c.deleting('pod-2')
      await new Promise((r) => setTimeout(r, 50))
      expect(published).toEqual([[['pod-1', 'pod-3'], ['pod-2']]])
      expect(c.events().map((e) => e.type)).toEqual(['terminating', 'published'])
      await c.assertPublished()
      expect(c.failures()).toEqual([])
    } finally {
      c.stop()
    }
  })

  it('keeps a failed endpoint update (which pods, why, when) and fails the run with ENDPOINTS_PUBLISH_FAILED', async () => {
    const c = startEndpointsController({
      pods,
      probe,
      propagationMs: 0,
      rng: () => 0,
      // The node answers 30 ms later that it could not take the update.
      publish: () => new Promise((_, reject) => setTimeout(() => reject(new HarnessError('ENDPOINTS_PUBLISH_FAILED', 'node proxy "node-a" could not take the endpoint update: node proxy "node-a" did not answer "endpoints" within 5000ms')), 30)),
    })
    try {
      const before = Date.now()
      c.deleting('pod-2')
      await new Promise((r) => setTimeout(r, 10))
      // The update is still under way: assertPublished waits for it.
      const err = (await c.assertPublished().then(
        () => undefined,
        (e: unknown) => e,
      )) as HarnessError
      expect(err).toBeInstanceOf(HarnessError)
      expect(err.code).toBe('ENDPOINTS_PUBLISH_FAILED')
      expect(err.exitCode).toBe(3)
      expect(err.message).toMatch(/^the endpoint update for pod-2 \(ready: pod-1, pod-3; terminating: pod-2\) at \d{4}-\d\d-\d\dT[\d:.]+Z was not applied: node proxy "node-a" could not take the endpoint update: .*did not answer/)
      const [f] = c.failures()
      expect(f).toMatchObject({ changed: ['pod-2'], ready: ['pod-1', 'pod-3'], terminating: ['pod-2'] })
      expect(f!.atMs).toBeGreaterThanOrEqual(before)
      // No 'published' event: the proxies never got it.
      expect(c.events().map((e) => e.type)).toEqual(['terminating'])
    } finally {
      c.stop()
    }
  })
})
