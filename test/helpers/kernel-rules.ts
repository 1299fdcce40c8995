/**
 * A test-local stand-in for kube-proxy's rules (harness/dataplane/kernel/rules/ renders the real
 * ones): one nftables table per node with a NodePort DNAT to the ready endpoints by `numgen
 * random`, a named counter per endpoint chain, and the masquerade mark under
 * externalTrafficPolicy Cluster. Enough to carry HTTP end to end through the kernel dataplane;
 * none of kube-proxy's fidelity (no affinity, no REJECT, no terminating fallback).
 */
import { runTool } from '../../harness/dataplane/kernel/exec.ts'
import type { KernelRules } from '../../harness/dataplane/kernel/rules-binding.ts'
import type { RuleInput } from '../../harness/dataplane/kernel/rules/types.ts'

const TABLE = 'svbtest'
const chainOf = (pod: string) => `ep-${pod}`
const counterOf = (pod: string) => `c-${pod}`

/** The node's table as `nft -f` input: declared (counters kept), flushed, filled, in one transaction. */
export function renderTestRules(input: RuleInput): string {
  const { service, node } = input
  const usable = input.endpoints.filter((e) => e.ready && (service.externalTrafficPolicy === 'Cluster' || e.node === node.name))
  const masq = service.externalTrafficPolicy === 'Cluster'
  const all = input.endpoints
  const declare = [
    `table ip ${TABLE} {`,
    ...all.map((e) => `  counter ${counterOf(e.name)} { }`),
    '  chain pre { type nat hook prerouting priority dstnat; }',
    '  chain post { type nat hook postrouting priority srcnat; }',
    '  chain svc { }',
    ...all.map((e) => `  chain ${chainOf(e.name)} { }`),
    '}',
  ]
  const flush = ['pre', 'post', 'svc', ...all.map((e) => chainOf(e.name))].map((c) => `flush chain ip ${TABLE} ${c}`)
  const vmap = usable.map((e, i) => `${i} : jump ${chainOf(e.name)}`).join(', ')
  const fill = [
    `table ip ${TABLE} {`,
    `  chain pre { ip daddr ${node.addresses.join(', ')} tcp dport ${service.nodePort} jump svc; }`,
    `  chain svc { ${usable.length === 0 ? '' : `numgen random mod ${usable.length} vmap { ${vmap} };`} }`,
    ...usable.map((e) => `  chain ${chainOf(e.name)} { counter name "${counterOf(e.name)}"${masq ? ' meta mark set 0x4000' : ''} meta l4proto tcp dnat to ${e.address}:${e.port}; }`),
    `  chain post { meta mark 0x4000 masquerade; }`,
    '}',
  ]
  return [...declare, ...flush, ...fill].join('\n') + '\n'
}

/** The stand-in's three operations. */
export const TEST_RULES: KernelRules = {
  render: renderTestRules,
  apply: async (netns, _mode, text) => void (await runTool('nft', ['-f', '-'], { netns, input: text })),
  async readCounters(netns) {
    const out = await runTool('nft', ['-j', 'list', 'counters', 'table', 'ip', TABLE], { netns }).catch(() => '{"nftables":[]}')
    const rows = (JSON.parse(out) as { nftables: { counter?: { name: string; packets: number } }[] }).nftables
    return Object.fromEntries(rows.filter((r) => r.counter !== undefined).map((r) => [r.counter!.name.slice(2), r.counter!.packets]))
  },
}
