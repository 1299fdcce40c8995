/** Every dataplane by name. A new dataplane is one file (or folder) and one line here. */
import { createProxyDataplane } from './proxy.ts'
import { createKernelDataplane } from './kernel/dataplane.ts'
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedRun, ResolvedVariant } from '../model/scenario.ts'
import type { Dataplane, DataplaneName } from './types.ts'

/** Each dataplane's factory. */
export const registry = {
  proxy: createProxyDataplane,
  kernel: () => createKernelDataplane(),
} satisfies Record<DataplaneName, () => Dataplane>

/** The dataplane that carries a variant's traffic (`service.dataplane`): a fresh one per variant. */
export function dataplaneFor(v: Pick<ResolvedVariant, 'service'>): Dataplane {
  return registry[v.service.dataplane]()
}

/** What keeps the run's dataplanes from running on this machine, each issue once (the CLI refuses the run with them). */
export function preflightRun(run: Pick<ResolvedRun, 'variants'>): ScenarioIssue[] {
  const seen = new Set<string>()
  return run.variants
    .flatMap((v) => dataplaneFor(v).preflight(v))
    .filter((i) => {
      const key = `${i.path}\n${i.message}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}
