import { describe, expect, it } from 'vitest'
import { createLoadExecutor, registry, DEFAULT_LOAD_EXECUTOR } from '../../harness/load/registry.ts'
import type { LoadPlan } from '../../harness/load/types.ts'

const plan: LoadPlan = { targets: [{ host: '10.0.0.1', port: 80 }], clientAddresses: ['127.0.0.1'], connections: 1, durationMs: 100, keepAlive: true, path: '/', requestTimeoutMs: 1000, epochMs: Date.now() }

describe('load executor registry', () => {
  it.each(Object.keys(registry) as (keyof typeof registry)[])('createLoadExecutor(%s) is the executor of that name', (name) => {
    expect(createLoadExecutor(name).name).toBe(name)
  })
  it.each(Object.keys(registry) as (keyof typeof registry)[])('the %s executor refuses an off-machine target before sending anything', (name) => {
    expect(() => createLoadExecutor(name).start(plan)).toThrow(/only targets 127\.0\.0\.0\/8 and ::1/)
    expect(() => createLoadExecutor(name).start({ ...plan, targets: [{ host: '127.0.0.1', port: 80 }], clientAddresses: ['192.168.0.2'] })).toThrow(/refusing source address 192\.168\.0\.2/)
  })
  it('runs the closed model by default', () => {
    expect(DEFAULT_LOAD_EXECUTOR).toBe('closed')
  })
})
