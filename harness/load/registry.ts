/**
 * Every load executor by name (STYLE.md §9, like balancers/registry.ts). A new executor is one
 * file, one line here and one test file.
 */
import type { LoadExecutor, LoadExecutorName } from './types.ts'
import { createClosedExecutor } from './autocannon.ts'
import { createOpenExecutor } from './open.ts'
import { createUdpExecutor } from './udp.ts'

/** Executor factories by registry name. `closed` lives in autocannon.ts, the only importer of autocannon; `open` in open.ts; `udp` (a UDP Service's queries on the open model's schedule) in udp.ts. */
export const registry = {
  closed: createClosedExecutor,
  open: createOpenExecutor,
  udp: createUdpExecutor,
} satisfies Record<LoadExecutorName, () => LoadExecutor>

/** The executor a variant uses unless load.rate or load.stages ask for the open model (plan.ts executorFor). */
export const DEFAULT_LOAD_EXECUTOR: LoadExecutorName = 'closed'

/** A fresh executor of the named kind. */
export function createLoadExecutor(name: LoadExecutorName): LoadExecutor {
  return registry[name]()
}
