/**
 * The Deployment's side of the faults (delete-pod, drain-node, scale, rolling-update): a pod
 * deleted through the termination flow, and a new pod started in a free slot.
 */
import type { FaultTarget } from './types.ts'

/**
 * Delete a pod: its endpoint goes terminating at once, while the kubelet's preStop, SIGTERM and
 * grace period run (as an API deletion does). Resolves when the pod is gone and its slot free.
 */
export async function removePod(t: FaultTarget, pod: string): Promise<void> {
  t.controller.deleting(pod)
  t.running.delete(pod)
  await t.cluster.deletePod(pod, t.deletion)
  t.controller.gone(pod)
  t.free.push(pod)
}

/**
 * Start a new pod in the first free slot (a new pod, a new address, as a ReplicaSet creates),
 * probed afresh; `ready` resolves when it is ready, and rejects when no slot is free.
 */
export function addPod(t: FaultTarget): { slot: string | undefined; ready: Promise<void> } {
  const slot = t.free.shift()
  if (slot === undefined) return { slot, ready: Promise.reject(new Error('no free pod slot left for a new pod')) }
  t.running.add(slot)
  const ready = (async () => {
    if (await t.cluster.restartPod(slot)) t.controller.restarted(slot)
    await t.controller.whenReady(slot)
  })()
  return { slot, ready }
}

/** Delete each pod in the background (the fault's outcome waits for every deletion). */
export function removeInBackground(t: FaultTarget, pods: readonly string[]): void {
  for (const pod of pods) t.background(removePod(t, pod), `deleting ${pod}`)
}
