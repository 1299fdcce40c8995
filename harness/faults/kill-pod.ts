/** kill-pod: SIGKILL the pod's process, a real crash (its connections die with it); the readiness probe finds it. */
import type { FaultDefinition } from './types.ts'
import { podTarget, resolvedFault } from './targets.ts'
import { r3 } from './detection.ts'

/** The kill-pod action. */
export const killPod: FaultDefinition = {
  action: 'kill-pod',
  takes: [],
  requires: {},
  needsBuiltInPod: false,
  exampleTarget: 'pod-1',
  resolve: (raw, ctx, issues) => resolvedFault('kill-pod', raw, podTarget(raw, ctx, issues)),
  async fire(fault, t) {
    return Math.min(...(await Promise.all(fault.pods.map((pod) => t.cluster.killPod(pod)))))
  },
  expectedDetection(fault, probe, propagationMs) {
    const p = probe.periodSeconds
    const prop = propagationMs / 1000
    // The first failing probe comes within one period; failureThreshold − 1 more follow.
    return { min: r3((probe.failureThreshold - 1) * p + prop), max: r3(probe.failureThreshold * p + prop) }
  },
}
