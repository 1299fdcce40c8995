/**
 * One raw fault → a ResolvedFault through its action's definition, with the field checks every
 * action shares: a field the action does not take, or one it requires and did not get, is an issue.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { FaultAction, ResolvedFault } from '../model/scenario.ts'
import { showValue } from '../util/text.ts'
import { FAULTS, faultDefinition } from './registry.ts'
import { FAULT_FIELDS, type FaultField, type FaultResolveContext, type RawFault } from './types.ts'

/** The actions that take `field`. */
function takers(field: FaultField): FaultAction[] {
  return Object.values(FAULTS).filter((d) => d.takes.includes(field)).map((d) => d.action)
}

/** Resolve `raw` (issues under `ctx.path`); undefined when its action is not one (the schema reported it). */
export function resolveFault(raw: RawFault, ctx: FaultResolveContext, issues: ScenarioIssue[]): ResolvedFault | undefined {
  const def = faultDefinition(raw.action)
  if (def === undefined) return undefined
  const fault = def.resolve(raw, ctx, issues)
  for (const field of FAULT_FIELDS) {
    const given = raw[field] !== undefined
    if (given && !def.takes.includes(field)) {
      issues.push({ path: `${ctx.path}.${field}`, message: `only applies to ${takers(field).map((a) => JSON.stringify(a)).join(' or ')} (got action ${showValue(def.action)})` })
    }
    const why = def.requires[field]
    if (!given && why !== undefined) {
      issues.push({ path: `${ctx.path}.${field}`, message: `required field is missing; "${def.action}" needs ${field} (${why})` })
    }
  }
  return fault
}

/** What to say to a scenario whose pods are your own server: the actions it can take instead. */
export function commandPodActions(): string {
  const names = Object.values(FAULTS)
    .filter((d) => !d.needsBuiltInPod)
    .map((d) => (d.commandPodNote === undefined ? d.action : `${d.action} (${d.commandPodNote})`))
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`
}
