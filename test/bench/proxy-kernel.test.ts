/** bench:proxy's hand-written floor: one nft DNAT rule over the ready endpoints, nothing else. */
import { describe, expect, it } from 'vitest'
import { renderFloor } from '../../harness/bench/proxy-kernel.ts'
import type { RuleInput } from '../../harness/dataplane/kernel/rules/types.ts'

const input = (ready: boolean[]): RuleInput => ({
  mode: 'nftables',
  service: { name: 'svcbench', namespace: 'default', protocol: 'TCP', clusterIP: null, port: 80, targetPort: 8080, nodePort: 30080, externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', sessionAffinityTimeoutSeconds: null, healthCheckNodePort: null },
  node: { name: 'node-a', addresses: ['198.18.0.1'], podCidr: '198.19.0.0/24', clusterCidr: '198.19.0.0/16' },
  endpoints: ready.map((r, i) => ({ name: `pod-${i + 1}`, address: `198.19.0.${i + 2}`, port: 8080, node: 'node-a', ready: r, serving: r, terminating: false })),
})

describe('renderFloor', () => {
  it('writes one random DNAT over the ready endpoints, replacing the table in one transaction', () => {
    expect(renderFloor(input([true, false, true]))).toBe(
      [
        'add table ip svbfloor',
        'flush table ip svbfloor',
        'table ip svbfloor {',
        '  chain pre {',
        '    type nat hook prerouting priority dstnat; policy accept;',
        '    ip daddr 198.18.0.1 tcp dport 30080 dnat to numgen random mod 2 map { 0 : 198.19.0.2, 1 : 198.19.0.4 } : 8080',
        '  }',
        '}',
        '',
      ].join('\n'),
    )
  })

  it('writes no rule without a ready endpoint', () => {
    expect(renderFloor(input([false]))).not.toMatch(/dnat/)
  })
})
