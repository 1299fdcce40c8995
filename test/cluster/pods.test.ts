/**
 * The running pods on real processes: a killed or deleted pod's counts are kept, and where they
 * cannot be read the loss is said, naming the pod and what is missing.
 */
import { describe, expect, it } from 'vitest'
import http from 'node:http'
import { startPods, type PodSet } from '../../harness/cluster/pods.ts'
import { placeTopology } from '../../harness/cluster/topology.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { prepareBundles } from '../../harness/process/bundle.ts'
import { liveChildCount } from '../../harness/process/child.ts'
import { NO_FAULT } from '../../harness/model/wire.ts'

/** Two built-in pods on one node, each its own process; counts handed over within 200 ms or lost. */
async function withPods(use: (pods: PodSet, address: (name: string) => string) => Promise<void>): Promise<void> {
  await prepareBundles()
  const lease = await leaseBlock()
  const v = resolveScenario({ name: 'pods', cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0 } } }).variants[0]!
  const topology = placeTopology(v, lease.plan)
  const pods = await startPods(v, topology, { seed: 1, runId: `pods-test-${process.pid}`, readyTimeoutMs: 10_000, countsTimeoutMs: 200 })
  try {
    await pods.reset(Date.now())
    await use(pods, (name) => topology.pods.find((p) => p.name === name)!.address)
  } finally {
    await pods.stop()
    await lease.release()
  }
  expect(liveChildCount()).toBe(0)
}

const get = (host: string) =>
  new Promise<number>((resolve, reject) => {
    http.get({ host, port: 8080, path: '/', agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    }).on('error', reject)
  })

const pidOf = (pods: PodSet, name: string) => pods.processes().find((p) => p.name === name)!.pid

describe('startPods', () => {
  it('keeps a killed pod\'s counts and a deleted pod\'s final counts, with nothing to warn about', async () => {
    await withPods(async (pods, address) => {
      await get(address('pod-1'))
      await get(address('pod-2'))
      await get(address('pod-2'))
      await pods.kill('pod-1')
      await pods.delete('pod-2', { preStopMs: 0, graceMs: 1000 })
      expect((await pods.collect()).map((s) => [s.name, s.requests])).toEqual([['pod-1', 1], ['pod-2', 2]])
      expect(pods.warnings()).toEqual([])
    })
  })

  it('says so when a killed pod\'s counts cannot be read (the pod does not answer)', async () => {
    await withPods(async (pods, address) => {
      await get(address('pod-1'))
      process.kill(pidOf(pods, 'pod-1'), 'SIGSTOP') // alive, but it answers nothing any more
      await pods.kill('pod-1')
      expect(pods.warnings()).toEqual([
        `pod-1's counts before its kill could not be read: pod "pod-1" did not answer "stats" within 200ms; its requests before the kill are missing from the per-pod counts`,
      ])
    })
  })

  it('says so when a deleted pod was killed at its grace period, or its counts could not be read at all', async () => {
    await withPods(async (pods, address) => {
      // pod-1 hangs on a request in flight, so it cannot finish before its grace period ends.
      await pods.fault('pod-1', { ...NO_FAULT, hang: true })
      const inFlight = get(address('pod-1')).catch(() => 'reset')
      await new Promise((r) => setTimeout(r, 50))
      await pods.delete('pod-1', { preStopMs: 0, graceMs: 300 })
      await inFlight
      // pod-2 answers nothing at all.
      process.kill(pidOf(pods, 'pod-2'), 'SIGSTOP')
      await pods.delete('pod-2', { preStopMs: 0, graceMs: 300 })
      expect(pods.warnings()).toEqual([
        'pod-1 did not exit within its grace period (SIGKILL 300ms after SIGTERM): the requests it answered after SIGTERM are missing from the per-pod counts',
        `pod-2's counts before its deletion could not be read: pod "pod-2" did not answer "stats" within 200ms; its requests are missing from the per-pod counts`,
      ])
    })
  })
})
