/** fail-pod: svcbench's pod answers errorRate of its requests with 500; the readiness probe still passes. */
import { NO_FAULT } from '../model/wire.ts'
import type { FaultDefinition } from './types.ts'
import { podTarget, resolvedFault } from './targets.ts'

/** The fail-pod action. */
export const failPod: FaultDefinition = {
  action: 'fail-pod',
  takes: ['errorRate'],
  requires: {},
  needsBuiltInPod: true,
  exampleTarget: { node: 'node-a' },
  resolve: (raw, ctx, issues) => resolvedFault('fail-pod', raw, podTarget(raw, ctx, issues)),
  async fire(fault, t) {
    await Promise.all(fault.pods.map((pod) => t.cluster.podFault(pod, { ...NO_FAULT, errorRate: fault.errorRate })))
    return Date.now()
  },
  // The probe only asks /healthz, which still answers: nothing notices.
  expectedDetection: () => null,
}
