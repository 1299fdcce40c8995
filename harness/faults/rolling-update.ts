/**
 * rolling-update: every pod running now is replaced by a new one in a fresh slot (a new pod, a
 * new address, as a Deployment's new ReplicaSet creates), at most maxSurge extra and
 * maxUnavailable missing at any time: new pods first, then the old ones deleted through the
 * termination flow; maxUnavailable of each batch go before their replacements are ready.
 */
import type { FaultDefinition } from './types.ts'
import { deploymentTarget, resolvedFault } from './targets.ts'
import { addPod, removeInBackground } from './pod-lifecycle.ts'

/** The rolling-update action. */
export const rollingUpdate: FaultDefinition = {
  action: 'rolling-update',
  takes: ['maxSurge', 'maxUnavailable'],
  requires: {},
  needsBuiltInPod: false,
  exampleTarget: 'all',
  resolve(raw, ctx, issues) {
    const f = resolvedFault('rolling-update', raw, deploymentTarget('rolling-update', raw, ctx, issues))
    if (f.maxSurge + f.maxUnavailable === 0) {
      issues.push({ path: `${ctx.path}.maxSurge`, message: 'maxSurge and maxUnavailable are both 0; expected at least one of them above 0 (as Kubernetes requires)' })
    }
    return f
  },
  // Every pod it creates is new: one slot per pod running when it starts.
  podSlots: (fault, running) => ({ added: running, running }),
  async fire(fault, t) {
    const at = Date.now()
    const update = (async () => {
      const old = [...t.running]
      while (old.length > 0) {
        const batch = old.splice(0, Math.max(1, fault.maxSurge + fault.maxUnavailable))
        removeInBackground(t, batch.slice(0, fault.maxUnavailable))
        await Promise.all(batch.map(() => addPod(t).ready))
        removeInBackground(t, batch.slice(fault.maxUnavailable))
      }
    })()
    t.background(update, 'rolling update, waiting for new pods to be ready')
    return at
  },
  // Pods leave only through the termination flow, once their replacements are ready.
  expectedDetection: () => null,
}
