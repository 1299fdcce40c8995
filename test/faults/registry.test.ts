/** The fault seam: every action has a definition that resolves its example target and refuses fields it does not take. */
import { describe, expect, it } from 'vitest'
import { FAULTS } from '../../harness/faults/registry.ts'
import { resolveFault, commandPodActions } from '../../harness/faults/resolve.ts'
import { FAULT_FIELDS, type FaultResolveContext } from '../../harness/faults/types.ts'
import { FAULT_ACTIONS } from '../../harness/model/scenario.ts'
import type { ScenarioIssue } from '../../harness/errors.ts'
import { createRng } from '../../harness/util/rng.ts'

const ctx = (): FaultResolveContext => ({
  pods: [
    { name: 'pod-1', node: 'node-a' },
    { name: 'pod-2', node: 'node-b' },
  ],
  nodes: ['node-a', 'node-b'],
  rng: createRng(1),
  path: 'faults[0]',
})
const VALUES = { latencyMs: 200, errorRate: 0.5, replicas: 3, maxSurge: 1, maxUnavailable: 1 }
/** A valid raw fault of `action`: its example target and a value for each field it requires. */
const example = (action: (typeof FAULT_ACTIONS)[number]) => {
  const def = FAULTS[action]
  return { at: '1s', action, target: def.exampleTarget, ...Object.fromEntries(Object.keys(def.requires).map((f) => [f, VALUES[f as keyof typeof VALUES]])) }
}

describe('FAULTS', () => {
  it('has one definition per action, under its own name', () => {
    expect(Object.keys(FAULTS)).toEqual([...FAULT_ACTIONS])
    for (const a of FAULT_ACTIONS) expect(FAULTS[a].action).toBe(a)
  })

  it.each(FAULT_ACTIONS)('%s resolves its example target with no issue', (action) => {
    const issues: ScenarioIssue[] = []
    const f = resolveFault(example(action), ctx(), issues)
    expect(issues).toEqual([])
    expect(f?.action).toBe(action)
    expect(f?.atMs).toBe(1000)
    // A pod or node fault applies to some pod; a Deployment fault to the Deployment.
    expect(f!.pods.length > 0 || f!.target === 'all').toBe(true)
  })

  it.each(FAULT_ACTIONS.flatMap((a) => FAULT_FIELDS.filter((f) => !FAULTS[a].takes.includes(f)).map((f) => [a, f] as const)))('%s refuses %s', (action, field) => {
    const issues: ScenarioIssue[] = []
    resolveFault({ ...example(action), [field]: VALUES[field] }, ctx(), issues)
    expect(issues).toEqual([{ path: `faults[0].${field}`, message: expect.stringMatching(new RegExp(`^only applies to ".+" \\(got action "${action}"\\)$`)) }])
  })

  it.each(FAULT_ACTIONS.flatMap((a) => Object.keys(FAULTS[a].requires).map((f) => [a, f] as const)))('%s requires %s', (action, field) => {
    const issues: ScenarioIssue[] = []
    const raw: Record<string, unknown> = example(action)
    delete raw[field]
    resolveFault(raw, ctx(), issues)
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([expect.stringMatching(new RegExp(`^faults\\[0\\]\\.${field}: required field is missing; "${action}" needs ${field} \\(`))])
  })

  it('every field is taken by some action, and required only where taken', () => {
    for (const f of FAULT_FIELDS) expect(FAULT_ACTIONS.some((a) => FAULTS[a].takes.includes(f))).toBe(true)
    for (const a of FAULT_ACTIONS) for (const f of Object.keys(FAULTS[a].requires)) expect(FAULTS[a].takes).toContain(f)
  })

  it('names the actions your own server can take (built-in pod faults left out)', () => {
    expect(commandPodActions()).toBe('kill-pod, hang-pod (SIGSTOP), recover-pod, delete-pod, kill-node, drain-node, scale or rolling-update')
  })

  it('an unknown action resolves to nothing (the schema reports it)', () => {
    const issues: ScenarioIssue[] = []
    expect(resolveFault({ at: '1s', action: 'explode-pod', target: 'pod-1' }, ctx(), issues)).toBeUndefined()
    expect(issues).toEqual([])
  })

  it.each([
    ['scale', 2, 3, { added: 1, running: 3 }],
    ['scale', 3, 1, { added: 0, running: 1 }],
    ['rolling-update', 4, 0, { added: 4, running: 4 }],
  ] as const)('%s podSlots with %d running, replicas %d', (action, running, replicas, slots) => {
    const f = resolveFault({ ...example(action), replicas: action === 'scale' ? replicas : undefined }, ctx(), [])!
    expect(FAULTS[action].podSlots!(f, running)).toEqual(slots)
  })
})
