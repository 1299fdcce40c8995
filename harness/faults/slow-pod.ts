/**
 * slow-pod: svcbench's pod adds latencyMs to every request and to the readiness probe, which
 * fails only when that reaches the probe's timeout.
 */
import { NO_FAULT } from '../model/wire.ts'
import type { FaultDefinition } from './types.ts'
import { podTarget, resolvedFault } from './targets.ts'
import { r3 } from './detection.ts'

/** The slow-pod action. */
export const slowPod: FaultDefinition = {
  action: 'slow-pod',
  takes: ['latencyMs'],
  requires: { latencyMs: 'the added latency' },
  needsBuiltInPod: true,
  exampleTarget: 'random',
  resolve: (raw, ctx, issues) => resolvedFault('slow-pod', raw, podTarget(raw, ctx, issues)),
  async fire(fault, t) {
    await Promise.all(fault.pods.map((pod) => t.cluster.podFault(pod, { ...NO_FAULT, extraLatencyMs: fault.latencyMs })))
    return Date.now()
  },
  expectedDetection(fault, probe, propagationMs) {
    const p = probe.periodSeconds
    const prop = propagationMs / 1000
    const timeout = probe.timeoutSeconds
    return fault.latencyMs >= timeout * 1000
      ? { min: r3((probe.failureThreshold - 1) * p + timeout + prop), max: r3(probe.failureThreshold * p + timeout + prop) }
      : null
  },
}
