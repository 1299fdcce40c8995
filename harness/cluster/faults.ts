/**
 * Carries out faults on a running cluster, keeping the endpoints controller in step: the
 * Deployment-level ones (delete-pod, drain-node, scale, rolling-update) through the termination
 * flow and free pod slots, the pod- and node-level ones directly.
 */
import type { Cluster } from './cluster.ts'
import type { EndpointsController } from './endpoints.ts'
import type { ResolvedFault, ResolvedVariant } from '../model/scenario.ts'
import { NO_FAULT } from '../model/wire.ts'

/** Fires faults; `fire` resolves with when the fault took effect (Date.now()). */
export interface FaultDriver {
  fire(fault: ResolvedFault): Promise<number>
}

/** A driver for one variant's cluster. */
export function createFaultDriver(v: ResolvedVariant, cluster: Cluster, controller: EndpointsController): FaultDriver {
  // The Deployment's pods (slots with a running pod) and the free slots, for scale and rolling updates.
  const running = new Set(cluster.topology.pods.filter((p) => !p.spare).map((p) => p.name))
  const free = cluster.topology.pods.filter((p) => p.spare).map((p) => p.name)
  const deletion = { preStopMs: v.cluster.preStopSleepSeconds * 1000, graceMs: v.cluster.terminationGracePeriodSeconds * 1000 }

  /** Pod deletion: the endpoint goes terminating at once; the kubelet's preStop/SIGTERM/grace runs in parallel. */
  const remove = (pod: string) => {
    controller.deleting(pod)
    running.delete(pod)
    return cluster.deletePod(pod, deletion).then(() => {
      controller.gone(pod)
      free.push(pod)
    })
  }
  /** A new pod in a free slot, probed afresh; resolves when it is ready. */
  const add = async () => {
    const slot = free.shift()
    if (slot === undefined) return
    running.add(slot)
    if (await cluster.restartPod(slot)) controller.restarted(slot)
    await controller.whenReady(slot)
  }
  const background = (p: Promise<unknown>) => void p.catch(() => {})

  return {
    async fire(fault) {
      const at = Date.now()
      switch (fault.action) {
        case 'rolling-update':
          // Replace every pod running now with a new one in a fresh slot (a new pod, a new
          // address, as a Deployment's ReplicaSet creates): wait for the new pods to be ready,
          // then delete the old ones (the termination flow); maxUnavailable of them go first.
          background(
            (async () => {
              const old = [...running]
              while (old.length > 0) {
                // Up to maxSurge extra pods and maxUnavailable missing ones at any time.
                const batch = old.splice(0, Math.max(1, fault.maxSurge + fault.maxUnavailable))
                for (const p of batch.slice(0, fault.maxUnavailable)) background(remove(p))
                await Promise.all(batch.map(() => add()))
                for (const p of batch.slice(fault.maxUnavailable)) background(remove(p))
              }
            })(),
          )
          return at
        case 'scale': {
          const now = [...running]
          if (fault.replicas > now.length) for (let k = now.length; k < fault.replicas; k++) background(add())
          else for (const pod of now.slice(fault.replicas).reverse()) background(remove(pod))
          return at
        }
        case 'delete-pod':
        case 'drain-node':
          for (const pod of fault.pods) background(remove(pod))
          return at
        case 'kill-node':
          controller.nodeLost(fault.pods, v.cluster.nodeMonitorGracePeriodSeconds * 1000)
          return cluster.killNode(fault.node as string)
        case 'kill-pod':
          return Math.min(...(await Promise.all(fault.pods.map((pod) => cluster.killPod(pod)))))
        default:
          await Promise.all(
            fault.pods.map(async (pod) => {
              switch (fault.action) {
                case 'hang-pod':
                  return cluster.podFault(pod, { ...NO_FAULT, hang: true })
                case 'slow-pod':
                  return cluster.podFault(pod, { ...NO_FAULT, extraLatencyMs: fault.latencyMs })
                case 'fail-pod':
                  return cluster.podFault(pod, { ...NO_FAULT, errorRate: fault.errorRate })
                case 'recover-pod':
                  if (await cluster.restartPod(pod)) controller.restarted(pod)
                  return cluster.podFault(pod, NO_FAULT)
              }
            }),
          )
          return Date.now()
      }
    },
  }
}
