/**
 * kill-node: the node dies with its kube-proxy and every pod on it. Its kubelet is gone, so
 * nobody probes the pods: the node controller marks them not ready after
 * --node-monitor-grace-period; a front load balancer's health check notices sooner.
 */
import type { FaultDefinition } from './types.ts'
import { nodeTarget, resolvedFault } from './targets.ts'
import { r3 } from './detection.ts'

/** The kill-node action. */
export const killNode: FaultDefinition = {
  action: 'kill-node',
  takes: [],
  requires: {},
  needsBuiltInPod: false,
  exampleTarget: 'node-a',
  resolve: (raw, ctx, issues) => resolvedFault('kill-node', raw, nodeTarget(raw, ctx, issues)),
  fire(fault, t) {
    t.controller.nodeLost(fault.pods, t.nodeMonitorGracePeriodMs)
    return t.cluster.killNode(fault.node as string)
  },
  expectedDetection(fault, probe, propagationMs, opts) {
    const prop = propagationMs / 1000
    if (opts.lb !== undefined) {
      // A check that no node can pass takes nothing out: the load balancer fails open (or refuses) throughout.
      if (opts.lb.checkCanPass === false) return null
      // A dead node refuses the health check at once; the first failing check comes within one interval.
      const h = opts.lb.healthCheck
      return { min: r3((h.unhealthyThreshold - 1) * h.intervalSeconds), max: r3(h.unhealthyThreshold * h.intervalSeconds) }
    }
    const grace = opts.nodeMonitorGracePeriodSeconds ?? 40
    return { min: r3(grace + prop), max: r3(grace + prop) }
  },
}
