/** Run a scenario in-process on real sockets and check that nothing was left running. */
import { expect } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { runScenario } from '../../harness/runner.ts'
import { liveChildCount } from '../../harness/process/child.ts'
import type { VariantResult } from '../../harness/model/results.ts'

/** Resolve and run `scenario`; returns its variants' results. */
export async function runVariants(scenario: unknown): Promise<VariantResult[]> {
  const result = await runScenario(resolveScenario(scenario))
  expect(liveChildCount()).toBe(0)
  return result.variants
}
