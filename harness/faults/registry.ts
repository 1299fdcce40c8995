/** Fault action → its definition. A new action is one file and one line here. */
import type { FaultAction } from '../model/scenario.ts'
import type { FaultDefinition } from './types.ts'
import { killPod } from './kill-pod.ts'
import { hangPod } from './hang-pod.ts'
import { slowPod } from './slow-pod.ts'
import { failPod } from './fail-pod.ts'
import { recoverPod } from './recover-pod.ts'
import { deletePod } from './delete-pod.ts'
import { killNode } from './kill-node.ts'
import { drainNode } from './drain-node.ts'
import { scale } from './scale.ts'
import { rollingUpdate } from './rolling-update.ts'

/** Every fault action's definition, by name. */
export const FAULTS = {
  'kill-pod': killPod,
  'hang-pod': hangPod,
  'slow-pod': slowPod,
  'fail-pod': failPod,
  'recover-pod': recoverPod,
  'delete-pod': deletePod,
  'kill-node': killNode,
  'drain-node': drainNode,
  scale,
  'rolling-update': rollingUpdate,
} as const satisfies Record<FaultAction, FaultDefinition>

/** The definition of `action`, or undefined for a name that is not one (the schema reports it). */
export function faultDefinition(action: unknown): FaultDefinition | undefined {
  return typeof action === 'string' && Object.hasOwn(FAULTS, action) ? FAULTS[action as FaultAction] : undefined
}
