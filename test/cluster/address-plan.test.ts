import { describe, expect, it } from 'vitest'
import { addressPlan, leaseBlock } from '../../harness/cluster/address-plan.ts'
import { placeTopology } from '../../harness/cluster/topology.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { isLoopback } from '../../harness/util/ip.ts'
import { HarnessError } from '../../harness/errors.ts'

describe('addressPlan', () => {
  it('gives every node, pod and client its own loopback address in the block', () => {
    const p = addressPlan(42)
    const all = [
      ...Array.from({ length: 50 }, (_, i) => p.node(i)),
      ...Array.from({ length: 200 }, (_, j) => p.pod(j)),
      ...Array.from({ length: 32_000 }, (_, k) => p.client(k)),
      p.lock,
      p.frontLb,
    ]
    expect(new Set(all).size).toBe(all.length)
    for (const a of all) {
      expect(isLoopback(a)).toBe(true)
      expect(a.startsWith('127.42.')).toBe(true)
    }
    expect(p.node(0)).toBe('127.42.1.1')
    expect(p.pod(0)).toBe('127.42.2.1')
    expect(p.client(0)).toBe('127.42.128.1')
    expect(p.client(31_999)).toBe('127.42.255.250')
  })
})

describe('leaseBlock', () => {
  it('never hands the same block to two holders', async () => {
    const a = await leaseBlock()
    const b = await leaseBlock()
    try {
      expect(a.plan.block).not.toBe(b.plan.block)
      await expect(leaseBlock({ block: a.plan.block })).rejects.toBeInstanceOf(HarnessError)
    } finally {
      await a.release()
      await b.release()
    }
  })
})

describe('placeTopology', () => {
  it('numbers pods round-robin over nodes, same NodePort on every node', () => {
    const v = resolveScenario({ name: 'x', cluster: { nodes: [{ name: 'a', pods: 2 }, { name: 'b', pods: 1 }, { name: 'c', pods: 0 }] } }).variants[0]!
    const t = placeTopology(v, addressPlan(30))
    expect(t.pods.map((p) => `${p.name}@${p.node}`)).toEqual(['pod-1@a', 'pod-2@b', 'pod-3@a'])
    expect(t.nodes.map((n) => `${n.address}:${n.nodePort}`)).toEqual(['127.30.1.1:30080', '127.30.1.2:30080', '127.30.1.3:30080'])
  })
})

describe('preferred block', () => {
  it('is derived from the scenario name, in range, and leased first when free', async () => {
    const { preferredBlock, leaseBlock, MIN_BLOCK } = await import('../../harness/cluster/address-plan.ts')
    const b = preferredBlock('quickstart')
    expect(preferredBlock('quickstart')).toBe(b)
    expect(b).toBeGreaterThanOrEqual(MIN_BLOCK)
    expect(b).toBeLessThanOrEqual(250)
    const lease = await leaseBlock({ prefer: preferredBlock('a-name-no-test-uses') })
    expect(lease.plan.block).toBe(preferredBlock('a-name-no-test-uses'))
    // Taken: the next lease falls back to another block.
    const other = await leaseBlock({ prefer: lease.plan.block })
    expect(other.plan.block).not.toBe(lease.plan.block)
    await other.release()
    await lease.release()
  })
})
