/**
 * scale: the Deployment's replica count changes; new pods start in free slots, and a scale-down
 * deletes the newest pods through the termination flow.
 */
import type { FaultDefinition } from './types.ts'
import { deploymentTarget, resolvedFault } from './targets.ts'
import { addPod, removeInBackground } from './pod-lifecycle.ts'

/** The scale action. */
export const scale: FaultDefinition = {
  action: 'scale',
  takes: ['replicas'],
  requires: { replicas: 'the new count' },
  needsBuiltInPod: false,
  exampleTarget: 'all',
  resolve: (raw, ctx, issues) => resolvedFault('scale', raw, deploymentTarget('scale', raw, ctx, issues)),
  podSlots: (fault, running) => ({ added: Math.max(0, fault.replicas - running), running: fault.replicas }),
  async fire(fault, t) {
    const at = Date.now()
    const now = [...t.running]
    if (fault.replicas > now.length) {
      for (let k = now.length; k < fault.replicas; k++) {
        const pod = addPod(t)
        t.background(pod.ready, `scale, waiting for new pod ${pod.slot ?? '(no free slot)'} to be ready`)
      }
    } else removeInBackground(t, now.slice(fault.replicas).reverse())
    return at
  },
  // Nothing fails: the endpoint set only grows or shrinks through the termination flow.
  expectedDetection: () => null,
}
