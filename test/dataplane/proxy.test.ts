/**
 * The proxy dataplane on real processes (two node proxies, no pods needed): endpoint updates a
 * live node cannot take fail loudly, a node killed on purpose is no failure, a dead node's lost
 * counts are said, and every node reports the relay that ran.
 */
import { describe, expect, it } from 'vitest'
import { createProxyDataplane, relayWarnings } from '../../harness/dataplane/proxy.ts'
import { preflightRun } from '../../harness/dataplane/registry.ts'
import type { RunningDataplane } from '../../harness/dataplane/types.ts'
import { placeTopology } from '../../harness/cluster/topology.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { prepareBundles } from '../../harness/process/bundle.ts'
import { liveChildCount } from '../../harness/process/child.ts'
import { availableRelay } from '../../harness/proxy/relay/mode.ts'
import { emptyProxyStats } from '../../harness/proxy/accounting.ts'
import { HarnessError } from '../../harness/errors.ts'
import type { Endpoint } from '../../harness/model/kube-proxy.ts'

async function withDataplane(use: (dp: RunningDataplane, endpoints: Endpoint[]) => Promise<void>): Promise<void> {
  await prepareBundles()
  const lease = await leaseBlock()
  const v = resolveScenario({ name: 'dp', cluster: { nodes: 2, replicas: 2 } }).variants[0]!
  const topology = placeTopology(v, lease.plan)
  const endpoints = topology.pods.map((p) => ({ name: p.name, address: p.address, port: p.port, node: p.node }))
  const dp = await createProxyDataplane().start(topology, v, { endpoints, frontLbAddress: lease.plan.frontLb, seed: 1, hashSeed: 2, runId: `dp-test-${process.pid}`, readyTimeoutMs: 10_000, countsTimeoutMs: 200 })
  try {
    await use(dp, endpoints)
  } finally {
    await dp.stop()
    await lease.release()
  }
  expect(liveChildCount()).toBe(0)
}

const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as HarnessError)

describe('the proxy dataplane', () => {
  it('applies endpoint sets on every node; an update a live node cannot take rejects with ENDPOINTS_PUBLISH_FAILED', async () => {
    await withDataplane(async (dp, endpoints) => {
      await dp.applyEndpoints(endpoints.slice(0, 1), endpoints.slice(1))
      // Not an endpoint list: the node proxies refuse it.
      const err = await rejection(dp.applyEndpoints([null as unknown as Endpoint], []))
      expect(err).toBeInstanceOf(HarnessError)
      expect(err!.code).toBe('ENDPOINTS_PUBLISH_FAILED')
      expect(err!.message).toMatch(/^node proxy "node-[ab]" could not take the endpoint update: node proxy "node-[ab]": /)
    })
  })

  it('a node killed on purpose takes no more updates and that is no failure; its counts are kept, or their loss is said', async () => {
    await withDataplane(async (dp, endpoints) => {
      // An update on its way while the node dies.
      const at = await dp.killNode('node-a', () => dp.applyEndpoints(endpoints, []))
      expect(at).toBeLessThanOrEqual(Date.now())
      await dp.applyEndpoints(endpoints, [])
      dp.assertAlive()
      expect(dp.warnings()).toEqual([])
      // node-b answers nothing any more: what it counted is lost, and the warning says so.
      process.kill(dp.processes().find((p) => p.name === 'node-b')!.pid, 'SIGSTOP')
      await dp.killNode('node-b')
      expect(dp.warnings()).toEqual([
        `node-b's node proxy counts before its kill could not be read: node proxy "node-b" did not answer "stats" within 200ms; its decisions before the kill are missing from the per-node counts`,
      ])
      const { proxies } = await dp.collect()
      // node-a's last counts (with its relay), node-b's unknown.
      expect(proxies.map((p) => [p.node, p.relay])).toEqual([['node-a', availableRelay(undefined, false).mode], ['node-b', undefined]])
    })
  })

  it('every node proxy reports the relay that ran; no warning when it is the one asked for', async () => {
    await withDataplane(async (dp) => {
      const { proxies, lb } = await dp.collect()
      const expected = availableRelay(undefined, false)
      expect(proxies.map((p) => [p.relay, p.relayFallback])).toEqual([[expected.mode, expected.fallback], [expected.mode, expected.fallback]])
      expect(lb).toBeUndefined()
      expect(dp.warnings()).toEqual(relayWarnings({ proxies, lb }))
      if (expected.fallback === null) expect(dp.warnings()).toEqual([])
    })
  })
})

describe('relayWarnings', () => {
  const px = (node: string, relay: 'native' | 'raw' | 'l7' | undefined, relayFallback?: string | null) => ({ ...emptyProxyStats(node), relay, relayFallback })
  const failed = 'instead of native: the native relay /x/build/Release/svcbench_relay.node failed to load: invalid ELF header'
  it.each([
    { what: 'relays as asked', proxies: [px('node-a', 'native', null), px('node-b', 'l7', null)], lb: undefined, lines: [] },
    { what: 'counts from before relays were reported', proxies: [px('node-a', undefined)], lb: undefined, lines: [] },
    {
      what: 'one line for the nodes with the same fallback',
      proxies: [px('node-a', 'raw', failed), px('node-b', 'raw', failed), px('node-c', 'native', null)],
      lb: undefined,
      lines: [`node proxies "node-a", "node-b" ran the raw relay ${failed}`],
    },
    {
      what: 'the load balancer too',
      proxies: [px('node-a', 'raw', failed)],
      lb: { byNode: {}, refused: 0, events: [], relay: 'data' as const, relayFallback: 'instead of native: the native relay runs on Linux only' },
      lines: [`node proxy "node-a" ran the raw relay ${failed}`, 'the load balancer ran the data relay instead of native: the native relay runs on Linux only'],
    },
  ])('$what', ({ proxies, lb, lines }) => {
    expect(relayWarnings({ proxies, lb })).toEqual(lines)
  })
})

describe('preflightRun', () => {
  it('refuses a bad SVCBENCH_L4_RELAY once for the run, whatever the number of variants', () => {
    const run = resolveScenario({ name: 'x', variants: { a: {}, b: {} } })
    const before = process.env.SVCBENCH_L4_RELAY
    process.env.SVCBENCH_L4_RELAY = 'splice'
    try {
      expect(preflightRun(run)).toEqual([{ path: 'SVCBENCH_L4_RELAY', message: 'got "splice"; expected one of native, raw, onread, data (how the connection proxy moves bytes)' }])
    } finally {
      if (before === undefined) delete process.env.SVCBENCH_L4_RELAY
      else process.env.SVCBENCH_L4_RELAY = before
    }
    expect(before === undefined || before === '' ? preflightRun(run) : []).toEqual([])
  })
})
