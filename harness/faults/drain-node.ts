/**
 * drain-node: every pod on the node is deleted through the termination flow (kubectl drain's
 * evictions): delete-pod for each of them, the target being a node.
 */
import type { FaultDefinition } from './types.ts'
import { nodeTarget, resolvedFault } from './targets.ts'
import { deletePod } from './delete-pod.ts'

/** The drain-node action. */
export const drainNode: FaultDefinition = {
  action: 'drain-node',
  takes: [],
  requires: {},
  needsBuiltInPod: false,
  exampleTarget: { node: 'node-b' },
  resolve: (raw, ctx, issues) => resolvedFault('drain-node', raw, nodeTarget(raw, ctx, issues)),
  fire: (fault, t) => deletePod.fire(fault, t),
  expectedDetection: (fault, probe, propagationMs, opts) => deletePod.expectedDetection(fault, probe, propagationMs, opts),
}
