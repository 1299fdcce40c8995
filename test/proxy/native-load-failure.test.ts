/**
 * A native addon that is built but does not load (a binary for another Node or libc, a broken
 * build): the proxy falls back to a JavaScript relay, and says which one ran and why.
 */
import { describe, expect, it, vi } from 'vitest'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { createAccounting } from '../../harness/proxy/accounting.ts'
import { createBalancer } from '../../harness/balancers/registry.ts'
import { createRng } from '../../harness/util/rng.ts'

// Every require of a .node file fails as a mismatched binary does.
vi.mock('node:module', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:module')>()
  const createRequire = (from: string | URL) => {
    const req = m.createRequire(from)
    return Object.assign((id: string) => {
      if (id.endsWith('.node')) throw new Error(`${id}: invalid ELF header`)
      return req(id)
    }, req)
  }
  return { ...m, default: { ...m, createRequire }, createRequire }
})

const { nativeRelay, nativeRelayProblem, findAddon } = await import('../../harness/proxy/relay/native.ts')
const { availableRelay, relayEnvProblem } = await import('../../harness/proxy/relay/mode.ts')
const { startL4Proxy } = await import('../../harness/proxy/l4.ts')

describe.runIf(process.platform === 'linux' && findAddon() !== null)('a native relay that fails to load', () => {
  it('keeps the load error, and the L4 proxy reports the relay it ran instead and why', async () => {
    expect(nativeRelay()).toBeNull()
    const problem = nativeRelayProblem()!
    expect(problem).toMatch(/^the native relay \/.*svcbench_relay\.node failed to load: .*svcbench_relay\.node: invalid ELF header$/)
    const saved = process.env.SVCBENCH_L4_RELAY
    delete process.env.SVCBENCH_L4_RELAY
    try {
      expect(availableRelay(undefined, false)).toEqual({ mode: 'raw', fallback: `instead of native: ${problem}` })
      // SVCBENCH_L4_RELAY=native is then refused before the run, with the reason.
      process.env.SVCBENCH_L4_RELAY = 'native'
      expect(relayEnvProblem()).toMatch(/^got "native", but the native relay .* failed to load: /)
    } finally {
      if (saved === undefined) delete process.env.SVCBENCH_L4_RELAY
      else process.env.SVCBENCH_L4_RELAY = saved
    }
    const lease = await leaseBlock()
    const proxy = await startL4Proxy({ host: lease.plan.node(0), port: 30080, balancer: createBalancer('round-robin', { rng: createRng(1) }), accounting: createAccounting('node-a'), route: () => ({ host: '', port: 0, localAddress: '' }), onNoEndpoint: 'reject' })
    try {
      expect([proxy.relay, proxy.relayFallback]).toEqual(['raw', `instead of native: ${problem}`])
    } finally {
      proxy.close()
      await lease.release()
    }
  })
})
