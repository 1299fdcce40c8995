/**
 * UDP Services through the kernel's own conntrack (the kernel dataplane, kube-proxy's iptables
 * rules): the checks of test/integration/udp.test.ts on real network namespaces, with the node
 * namespaces' UDP conntrack timeouts set to 1 s through their sysctls.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { runScenario } from '../../../harness/runner.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import { liveChildCount } from '../../../harness/process/child.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import { expectStaleEntriesCleaned, udpScenarios } from '../../helpers/udp-scenarios.ts'
import type { UserScenario } from '../../../harness/scenario/schema.ts'

const run = async (scenario: UserScenario, tag: string) => {
  const r = await runScenario(resolveScenario(scenario), { runId: `kudp${tag}${process.pid}` })
  expect(liveChildCount()).toBe(0)
  expect(leftoverNetns(`svb-kudp${tag}${process.pid}`)).toEqual([])
  return r.variants
}

describe('UDP Services on the kernel dataplane', () => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))
  const s = udpScenarios('kernel')

  it('per-query source ports: flows split uniformly over 4 pods (χ² p ≥ 0.01), counted from the rules and conntrack', async () => {
    const [v] = await run(s.perQuery, 'p')
    expect(v!.errors.total).toBe(0)
    expect(v!.udp!.flows).toBeGreaterThanOrEqual(v!.requests.ok - 8)
    // (and no more: the warm-up's entries, still alive, carried none of the measured queries)
    expect(v!.udp!.flows).toBeLessThanOrEqual((v!.requests.sent ?? 0) + 8)
    expect(v!.fairness.chiSquaredP).toBeGreaterThanOrEqual(0.01)
    expect(v!.udp!.pods.every((p) => p.flows > 50)).toBe(true)
  })

  it('fixed source ports: each of 8 clients has all its queries answered by one pod', async () => {
    const [v] = await run(s.fixed, 'f')
    expect(v!.errors.total).toBe(0)
    expect(v!.udp!.clientsOnOnePod).toBe(8)
    expect(v!.udp!.flows).toBe(8)
  })

  it('a killed pod: its flows blackhole until their entries expire without cleanup, move at the endpoint update with kube-proxy\'s', async () => {
    const [none, cleanup] = await run(s.killed, 'k')
    expectStaleEntriesCleaned(none!.failover[0]!, cleanup!.failover[0]!, s)
  })

  it('a pod restarted on its address gets its old flows back while their entries live (no cleanup)', async () => {
    const [v] = await run(s.restarted, 'r')
    const f = v!.failover[0]!.udp!
    expect(f.flowsStuck).toBeGreaterThan(0)
    expect(f.flowsBackOnSamePod).toBe(f.flowsStuck)
  })
})
