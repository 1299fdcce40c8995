/**
 * A UDP Service behind aws-nlb on the kernel dataplane: the front load balancer runs in the
 * fabric namespace and sends each flow from its client's address (client IP kept, the client
 * range local there); the nodes' conntrack pins it to one pod. The health checks are the real
 * ones against the kernel's rules: HTTP /healthz passes under Local, and under Cluster the TCP
 * connect to the UDP-only NodePort is refused on every node, so the load balancer fails open.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { runScenario } from '../../../harness/runner.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import { liveChildCount } from '../../../harness/process/child.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import type { UserScenario } from '../../../harness/scenario/schema.ts'

const run = async (scenario: UserScenario, tag: string) => {
  const r = await runScenario(resolveScenario(scenario), { runId: `kulb${tag}${process.pid}` })
  expect(liveChildCount()).toBe(0)
  expect(leftoverNetns(`svb-kulb${tag}${process.pid}`)).toEqual([])
  return r.variants
}

const fastChecks = { intervalSeconds: 0.2, timeoutSeconds: 0.2, healthyThreshold: 1, unhealthyThreshold: 1 }
const scenario = (policy: 'Local' | 'Cluster'): UserScenario => ({
  name: `kudp-nlb-${policy.toLowerCase()}`,
  cluster: { nodes: 2, replicas: 4, endpointPropagationMs: 0 },
  service: { dataplane: 'kernel', protocol: 'UDP', type: 'LoadBalancer', proxyMode: 'iptables', externalTrafficPolicy: policy, loadBalancer: { preset: 'aws-nlb', healthCheck: fastChecks } },
  load: { warmup: '200ms', duration: '600ms', rate: 400, clientIps: 8, requestTimeout: '1s', udpSourcePort: 'fixed' },
})

describe('a UDP Service behind aws-nlb on the kernel dataplane', () => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))

  it('Local: every query answered; each of 8 fixed-port clients one flow at the LB and on one pod; the HTTP check passes', async () => {
    const [v] = await run(scenario('Local'), 'l')
    expect(v!.errors.total).toBe(0)
    expect(v!.requests.ok).toBe(v!.requests.sent)
    const lb = v!.loadBalancer!
    expect(Object.values(lb.byNode).reduce((a, b) => a + b, 0)).toBe(8)
    expect(v!.udp!.clientsOnOnePod).toBe(8)
    expect(lb.events).toEqual([])
    // The pods see the clients' own addresses: kept by the LB, and by the node under Local.
    expect(v!.sourceAddresses.clientAddressesSeen).toBe(8)
  })

  it('Cluster: the TCP check on the UDP NodePort fails on every node; the LB fails open and every query is still answered', async () => {
    const [v] = await run(scenario('Cluster'), 'c')
    const lb = v!.loadBalancer!
    // No node ever passed a check: unhealthy from the start (failing open), no transition.
    expect(lb.events).toEqual([])
    expect(v!.errors.total).toBe(0)
    expect(Object.values(lb.byNode).reduce((a, b) => a + b, 0)).toBe(8)
    expect(v!.udp!.clientsOnOnePod).toBe(8)
  })
})
