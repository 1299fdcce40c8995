/**
 * Inputs in the conventions of kube-proxy's proxier tests (pkg/proxy/{nftables,iptables}/proxier_test.go
 * `NewFakeProxier`): node `test-node` at 192.168.0.2 (its only NodePort address), pods in
 * 10.0.0.0/8 (the local traffic detector's CIDR), ClusterIPs in 172.30.0.0/16.
 */
import type { RuleEndpoint, RuleInput, RuleService } from '../../../../harness/dataplane/kernel/rules/types.ts'

/** kube-proxy tests' node name (`testNodeName` / `testHostname`). */
export const TEST_NODE = 'test-node'

/** A ready endpoint on port 80; `node` '' is "no NodeName" (never local). */
export function ep(address: string, over: Partial<RuleEndpoint> = {}): RuleEndpoint {
  return { name: `pod-${address}`, address, port: 80, node: '', ready: true, serving: true, terminating: false, ...over }
}

/** A `p80` TCP Service port 80 with Cluster policies and no affinity, changed by `over`. */
export function service(namespace: string, name: string, over: Partial<RuleService> = {}): RuleService {
  return {
    name,
    namespace,
    portName: 'p80',
    protocol: 'TCP',
    clusterIP: null,
    port: 80,
    targetPort: 80,
    nodePort: null,
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    sessionAffinityTimeoutSeconds: null,
    healthCheckNodePort: null,
    ...over,
  }
}

/** A RuleInput for `mode` on kube-proxy's test node. */
export function input(mode: RuleInput['mode'], svc: RuleService, endpoints: RuleEndpoint[]): RuleInput {
  return { mode, service: svc, node: { name: TEST_NODE, addresses: ['192.168.0.2'], podCidr: '10.0.0.0/24', clusterCidr: '10.0.0.0/8' }, endpoints }
}

/** Lines of a kube-proxy expectation (dedented, blank lines and `#` comments dropped). */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}
