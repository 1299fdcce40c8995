/**
 * hang-pod: the pod accepts connections and never answers (a command pod is SIGSTOPped); the
 * readiness probe fails by timing out.
 */
import { NO_FAULT } from '../model/wire.ts'
import type { FaultDefinition } from './types.ts'
import { podTarget, resolvedFault } from './targets.ts'
import { r3 } from './detection.ts'

/** The hang-pod action. */
export const hangPod: FaultDefinition = {
  action: 'hang-pod',
  takes: [],
  requires: {},
  needsBuiltInPod: false,
  commandPodNote: 'SIGSTOP',
  exampleTarget: 'pod-2',
  resolve: (raw, ctx, issues) => resolvedFault('hang-pod', raw, podTarget(raw, ctx, issues)),
  async fire(fault, t) {
    await Promise.all(fault.pods.map((pod) => t.cluster.podFault(pod, { ...NO_FAULT, hang: true })))
    return Date.now()
  },
  expectedDetection(fault, probe, propagationMs) {
    const p = probe.periodSeconds
    const prop = propagationMs / 1000
    const timeout = probe.timeoutSeconds
    return { min: r3((probe.failureThreshold - 1) * p + timeout + prop), max: r3(probe.failureThreshold * p + timeout + prop) }
  },
}
