/** delete-pod: an API deletion of the pod, through the termination flow (terminating endpoint, preStop, SIGTERM, grace). */
import type { FaultDefinition } from './types.ts'
import { podTarget, resolvedFault } from './targets.ts'
import { removeInBackground } from './pod-lifecycle.ts'
import { r3 } from './detection.ts'

/** The delete-pod action. */
export const deletePod: FaultDefinition = {
  action: 'delete-pod',
  takes: [],
  requires: {},
  needsBuiltInPod: false,
  exampleTarget: 'pod-2',
  resolve: (raw, ctx, issues) => resolvedFault('delete-pod', raw, podTarget(raw, ctx, issues)),
  async fire(fault, t) {
    const at = Date.now()
    removeInBackground(t, fault.pods)
    return at
  },
  expectedDetection(fault, probe, propagationMs) {
    // The deletion marks the endpoint terminating at once; only propagation remains.
    const prop = propagationMs / 1000
    return { min: r3(prop), max: r3(prop) }
  },
}
