/** recover-pod: a killed pod starts again (a container restart) and any injected fault is cleared; it is probed afresh. */
import { NO_FAULT } from '../model/wire.ts'
import type { FaultDefinition } from './types.ts'
import { podTarget, resolvedFault } from './targets.ts'
import { r3 } from './detection.ts'

/** The recover-pod action. */
export const recoverPod: FaultDefinition = {
  action: 'recover-pod',
  takes: [],
  requires: {},
  needsBuiltInPod: false,
  exampleTarget: 'pod-1',
  resolve: (raw, ctx, issues) => resolvedFault('recover-pod', raw, podTarget(raw, ctx, issues)),
  async fire(fault, t) {
    await Promise.all(
      fault.pods.map(async (pod) => {
        if (await t.cluster.restartPod(pod)) t.controller.restarted(pod)
        return t.cluster.podFault(pod, NO_FAULT)
      }),
    )
    return Date.now()
  },
  expectedDetection(fault, probe, propagationMs) {
    const p = probe.periodSeconds
    const prop = propagationMs / 1000
    return { min: r3((probe.successThreshold - 1) * p + prop), max: r3(probe.successThreshold * p + prop) }
  },
}
