/**
 * createFaultDriver on a test double of the cluster and the endpoints controller: what each
 * fault does to the pod slots, and that a fault that fails or does not finish is reported so
 * (driver.failed), never as applied.
 */
import { describe, expect, it } from 'vitest'
import { createFaultDriver, failedFaultWarnings, type FaultDriverCluster } from '../../harness/faults/driver.ts'
import type { FaultEndpoints } from '../../harness/faults/types.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import type { FailoverResult } from '../../harness/model/variant-parts.ts'

/** A variant of two pods on one node with the given faults (spare slots as the resolver keeps them). */
function variant(faults: unknown[]) {
  return resolveScenario({ name: 'x', cluster: { nodes: 1, replicas: 2 }, load: { duration: '10s' }, faults }).variants[0]!
}

/** A cluster and controller that record what is done to them; `over` replaces some operations. */
function double(spareSlots: number, over: Partial<FaultDriverCluster & FaultEndpoints> = {}) {
  const calls: string[] = []
  const pods = Array.from({ length: 2 + spareSlots }, (_, i) => ({ name: `pod-${i + 1}`, spare: i >= 2 }))
  const cluster: FaultDriverCluster = {
    topology: { pods },
    killPod: async (n) => (calls.push(`kill ${n}`), 1234),
    restartPod: async (n) => (calls.push(`start ${n}`), true),
    podFault: async (n) => void calls.push(`pod-fault ${n}`),
    deletePod: async (n) => void calls.push(`delete ${n}`),
    killNode: async (n) => (calls.push(`kill-node ${n}`), 1234),
    ...over,
  }
  const controller: FaultEndpoints = {
    deleting: (p) => void calls.push(`terminating ${p}`),
    gone: (p) => void calls.push(`gone ${p}`),
    restarted: (p) => void calls.push(`probe ${p}`),
    whenReady: over.whenReady ?? (async (p) => void calls.push(`ready ${p}`)),
    nodeLost: (p, graceMs) => void calls.push(`node-lost ${p.join(',')} ${graceMs}`),
  }
  return { cluster, controller, calls }
}

const settle = () => new Promise((r) => setTimeout(r, 10))

describe('createFaultDriver', () => {
  it('kill-pod resolves with the kill time and is carried out', async () => {
    const v = variant([{ at: '1s', action: 'kill-pod', target: 'pod-2' }])
    const d = double(v.cluster.spareSlots)
    const driver = createFaultDriver(v, d.cluster, d.controller)
    expect(await driver.fire(v.faults[0]!)).toBe(1234)
    expect(d.calls).toEqual(['kill pod-2'])
    expect(driver.failed(v.faults[0]!)).toBeNull()
  })

  it('a rolling update starts a new pod in a free slot before deleting each old one, then is done', async () => {
    const v = variant([{ at: '1s', action: 'rolling-update', target: 'all' }])
    expect(v.cluster.spareSlots).toBe(2)
    const d = double(v.cluster.spareSlots)
    const driver = createFaultDriver(v, d.cluster, d.controller)
    await driver.fire(v.faults[0]!)
    await settle()
    expect(d.calls).toEqual(['start pod-3', 'probe pod-3', 'ready pod-3', 'terminating pod-1', 'delete pod-1', 'start pod-4', 'gone pod-1', 'probe pod-4', 'ready pod-4', 'terminating pod-2', 'delete pod-2', 'gone pod-2'])
    expect(driver.failed(v.faults[0]!)).toBeNull()
  })

  it('a fault whose fire fails is failed with the reason', async () => {
    const v = variant([{ at: '1s', action: 'kill-pod', target: 'pod-1' }])
    const d = double(v.cluster.spareSlots, { killPod: () => Promise.reject(new Error('pod "pod-1" did not answer')) })
    const driver = createFaultDriver(v, d.cluster, d.controller)
    await expect(driver.fire(v.faults[0]!)).rejects.toThrow('did not answer')
    expect(driver.failed(v.faults[0]!)).toBe('could not be carried out: pod "pod-1" did not answer')
  })

  it('a deletion that fails in the background fails its fault', async () => {
    const v = variant([{ at: '1s', action: 'delete-pod', target: 'pod-1' }])
    const d = double(v.cluster.spareSlots, { deletePod: () => Promise.reject(new Error('no answer to SIGTERM')) })
    const driver = createFaultDriver(v, d.cluster, d.controller)
    await driver.fire(v.faults[0]!)
    await settle()
    expect(driver.failed(v.faults[0]!)).toBe('deleting pod-1: no answer to SIGTERM')
  })

  it('a rolling update whose new pods never become ready has not finished', async () => {
    const v = variant([{ at: '1s', action: 'rolling-update', target: 'all' }])
    const d = double(v.cluster.spareSlots, { whenReady: () => new Promise<void>(() => {}) })
    const driver = createFaultDriver(v, d.cluster, d.controller)
    await driver.fire(v.faults[0]!)
    await settle()
    expect(d.calls).toEqual(['start pod-3', 'probe pod-3'])
    expect(driver.failed(v.faults[0]!)).toBe('not finished by the end of the measured phase (rolling update, waiting for new pods to be ready)')
  })

  it('a scale-up with no free slot left fails instead of doing nothing', async () => {
    const v = variant([{ at: '1s', action: 'scale', target: 'all', replicas: 3 }])
    const d = double(0)
    const driver = createFaultDriver(v, d.cluster, d.controller)
    await driver.fire(v.faults[0]!)
    await settle()
    expect(driver.failed(v.faults[0]!)).toBe('scale, waiting for new pod (no free slot) to be ready: no free pod slot left for a new pod')
  })

  it('kill-node stops the node controller waiting for the grace period and kills the node', async () => {
    const v = variant([{ at: '1s', action: 'kill-node', target: 'node-a' }])
    const d = double(v.cluster.spareSlots)
    const driver = createFaultDriver(v, d.cluster, d.controller)
    expect(await driver.fire(v.faults[0]!)).toBe(1234)
    expect(d.calls).toEqual(['node-lost pod-1,pod-2 40000', 'kill-node node-a'])
  })
})

describe('failedFaultWarnings', () => {
  it('says which fault did not happen as written, and why; nothing for the others', () => {
    const f = (failed: string | null) => ({ fault: 'rolling-update', target: 'all', atSec: 0.3, failed }) as FailoverResult
    expect(failedFaultWarnings([f(null), f('not finished by the end of the measured phase (x)')])).toEqual([
      'fault rolling-update all at 0.3s did not happen as written: not finished by the end of the measured phase (x); its failover figures describe what did happen',
    ])
  })
})
