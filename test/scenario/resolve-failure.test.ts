/**
 * resolveScenario when the resolver itself throws: on a scenario the schema accepted that is a
 * harness fault (HarnessError RESOLVE_FAILED, exit 3) naming the variant and the cause, never a
 * variant dropped in silence (which could leave a run of zero variants that exits 0). On input
 * the schema rejected, the ScenarioError stands. A test double makes the service resolver throw.
 */
import { describe, expect, it, vi } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { HarnessError, ScenarioError } from '../../harness/errors.ts'

/** The nodePort on which the (doubled) service resolver throws. */
const THROWS_ON = 31_234

vi.mock('../../harness/scenario/service.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../harness/scenario/service.ts')>()
  return {
    ...real,
    resolveService: (...args: Parameters<typeof real.resolveService>) => {
      if (args[0].nodePort === THROWS_ON) throw new TypeError('cannot read properties of undefined')
      return real.resolveService(...args)
    },
  }
})

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('expected an error')
}

describe('resolveScenario: the resolver fails', () => {
  it('on a schema-valid scenario: HarnessError RESOLVE_FAILED naming the variant and the cause', () => {
    const e = thrown(() => resolveScenario({ name: 'x', service: { nodePort: THROWS_ON } }))
    expect(e).toBeInstanceOf(HarnessError)
    expect((e as HarnessError).code).toBe('RESOLVE_FAILED')
    expect((e as HarnessError).exitCode).toBe(3)
    expect((e as Error).message).toBe('resolving variant "default" failed on input the schema accepted: cannot read properties of undefined')
    expect((e as Error).cause).toBeInstanceOf(TypeError)
  })

  it('in one variant of several: the run fails, it does not go on without that variant', () => {
    const e = thrown(() => resolveScenario({ name: 'x', variants: { a: {}, b: { service: { nodePort: THROWS_ON } } } }))
    expect(e).toBeInstanceOf(HarnessError)
    expect((e as Error).message).toMatch(/^resolving variant "b" failed/)
  })

  it('on input the schema rejected: the ScenarioError with the schema issue', () => {
    const e = thrown(() => resolveScenario({ name: 'x', service: { nodePort: THROWS_ON, nodeport: 1 } }))
    expect(e).toBeInstanceOf(ScenarioError)
    expect((e as ScenarioError).issues.map((i) => i.path)).toEqual(['service.nodeport'])
  })

  it('resolves as usual where the double does not throw', () => {
    expect(resolveScenario({ name: 'x', service: { nodePort: 31_000 } }).variants.map((v) => v.service.nodePort)).toEqual([31_000])
  })
})
