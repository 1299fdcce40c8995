/**
 * renderNftables against kube-proxy's own expectations: pkg/proxy/nftables/proxier_test.go
 * (kubernetes/kubernetes 81810de6) `baseRules` and `TestOverallNFTablesRules`, Service by Service,
 * with each Service reduced to what svcbench models (no LoadBalancer or external IPs, no
 * LoadBalancerSourceRanges). Every line kube-proxy expects must be rendered, and every other
 * rendered line must be a `flush` (kube-proxy's knftables transaction flushes too; the fake's dump
 * shows only the resulting state) or svcbench's decision counter.
 */
import { describe, expect, it } from 'vitest'
import { renderNftables } from '../../../../harness/dataplane/kernel/rules/nftables.ts'
import { nftEndpointChainBase } from '../../../../harness/dataplane/kernel/rules/chain-names.ts'
import { ep, input, lines, service, TEST_NODE } from './kube-proxy-inputs.ts'

const BASE_RULES = lines(`
  add table ip kube-proxy { comment "rules for kube-proxy" ; }
  add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
  add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
  add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
  add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
  add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
  add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
  add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
  add chain ip kube-proxy cluster-ips-check
  add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
  add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
  add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
  add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
  add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
  add chain ip kube-proxy firewall-check
  add chain ip kube-proxy mark-for-masquerade
  add chain ip kube-proxy masquerading
  add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
  add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
  add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
  add chain ip kube-proxy nodeport-endpoints-check
  add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
  add chain ip kube-proxy services
  add chain ip kube-proxy service-endpoints-check
  add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
  add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
  add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
  add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
  add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
  add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
  add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
  add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
  add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
  add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
  add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
  add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
  add rule ip kube-proxy masquerading mark set mark xor 0x4000
  add rule ip kube-proxy masquerading masquerade fully-random
  add rule ip kube-proxy nat-output jump services
  add rule ip kube-proxy nat-postrouting jump masquerading
  add rule ip kube-proxy nat-prerouting jump services
  add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
  add rule ip kube-proxy reject-chain reject
  add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
  add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
  add element ip kube-proxy nodeport-ips { 192.168.0.2 }
  add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
`)
// Left out of BASE_RULES: "cluster-ips-check ip daddr { 172.30.0.0/16 } drop" (svcbench has no ServiceCIDR).

const SVC1 = `
  add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
  add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
  add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }
  add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
  add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
  add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
  add element ip kube-proxy cluster-ips { 172.30.0.41 }
  add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
`
// svc2 is a LoadBalancer; its LB IP and external IP elements are left out.
const SVC2 = `
  add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
  add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
  add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
  add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
  add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
  add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
  add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
  add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
  add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
  add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80
  add element ip kube-proxy cluster-ips { 172.30.0.42 }
  add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
  add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
  add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
`
const SVC3 = `
  add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
  add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
  add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
  add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
  add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
  add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
  add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
  add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
  add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
  add element ip kube-proxy cluster-ips { 172.30.0.43 }
  add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
  add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }
`
// svc4's external IP (and so its external chain) is left out: a ClusterIP with two endpoints.
const SVC4 = `
  add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
  add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
  add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
  add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
  add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
  add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
  add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
  add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
  add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80
  add element ip kube-proxy cluster-ips { 172.30.0.44 }
  add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
`
// svc5 is a LoadBalancer with source ranges; its LB IP and firewall chain are left out.
const SVC5 = `
  add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
  add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
  add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
  add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
  add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
  add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
  add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
  add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80
  add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
  add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
  add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
  add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
  add element ip kube-proxy cluster-ips { 172.30.0.45 }
  add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
  add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
`
const SVC6 = `
  add element ip kube-proxy cluster-ips { 172.30.0.46 }
  add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`

/** TestOverallNFTablesRules' six Services as RuleInputs, with their expected lines. */
const CASES = [
  { name: 'svc1 (ClusterIP)', input: input('nftables', service('ns1', 'svc1', { clusterIP: '172.30.0.41' }), [ep('10.180.0.1')]), expected: SVC1 },
  {
    name: 'svc2 (Local, no local endpoint)',
    input: input('nftables', service('ns2', 'svc2', { clusterIP: '172.30.0.42', nodePort: 3001, externalTrafficPolicy: 'Local', healthCheckNodePort: 30000 }), [ep('10.180.0.2')]),
    expected: SVC2,
  },
  { name: 'svc3 (NodePort)', input: input('nftables', service('ns3', 'svc3', { clusterIP: '172.30.0.43', nodePort: 3003 }), [ep('10.180.0.3')]), expected: SVC3 },
  { name: 'svc4 (two endpoints)', input: input('nftables', service('ns4', 'svc4', { clusterIP: '172.30.0.44' }), [ep('10.180.0.4'), ep('10.180.0.5', { node: TEST_NODE })]), expected: SVC4 },
  {
    name: 'svc5 (ClientIP affinity)',
    input: input('nftables', service('ns5', 'svc5', { clusterIP: '172.30.0.45', nodePort: 3002, sessionAffinityTimeoutSeconds: 10800, healthCheckNodePort: 30000 }), [ep('10.180.0.3')]),
    expected: SVC5,
  },
  { name: 'svc6 (no endpoints)', input: input('nftables', service('ns6', 'svc6', { clusterIP: '172.30.0.46' }), []), expected: SVC6 },
]

/** svcbench's additions: flushes of a full sync and its decision counters. */
const isSvcbenchAddition = (line: string) => /^flush (set|map) ip kube-proxy /.test(line) || / counter name decisions-\S+$/.test(line) || /^add counter ip kube-proxy decisions-/.test(line)

describe('renderNftables', () => {
  it.each(CASES)('renderNftables writes $name as TestOverallNFTablesRules expects', ({ input: i, expected }) => {
    const rendered = lines(renderNftables(i))
    const want = [...BASE_RULES, ...lines(expected)]
    expect(rendered.filter((l) => !want.includes(l) && !isSvcbenchAddition(l))).toEqual([])
    expect(want.filter((l) => !rendered.includes(l))).toEqual([])
  })

  it('renderNftables counts each endpoint just before its DNAT, by pod name', () => {
    const rendered = lines(renderNftables(CASES[3]!.input))
    const chain = 'endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80'
    const rules = rendered.filter((l) => l.startsWith(`add rule ip kube-proxy ${chain} `))
    expect(rules.slice(-2)).toEqual([`add rule ip kube-proxy ${chain} counter name decisions-pod-10.180.0.4`, `add rule ip kube-proxy ${chain} meta l4proto tcp dnat to 10.180.0.4:80`])
    expect(rendered).toContain('add counter ip kube-proxy decisions-pod-10.180.0.4')
  })

  it('renderNftables declares every chain, set and counter before the first rule that names it', () => {
    for (const { input: i } of CASES) {
      const rendered = lines(renderNftables(i))
      const firstRule = rendered.findIndex((l) => l.startsWith('add rule ') || l.startsWith('add element '))
      expect(rendered.slice(firstRule).filter((l) => /^add (chain|set|map|counter|table) /.test(l))).toEqual([])
    }
  })

  it('renderNftables writes Local endpoints into local-<hash> and sends external traffic there', () => {
    const svc = service('ns1', 'svc1', { clusterIP: '172.30.0.41', nodePort: 3001, externalTrafficPolicy: 'Local' })
    const rendered = lines(renderNftables(input('nftables', svc, [ep('10.180.0.1', { node: TEST_NODE }), ep('10.180.2.1', { node: 'node2' })])))
    expect(rendered).toContain('add rule ip kube-proxy external-ULMVA6XW-ns1/svc1/tcp/p80 goto local-ULMVA6XW-ns1/svc1/tcp/p80')
    const local = `endpoint-${nftEndpointChainBase(svc, { address: '10.180.0.1', port: 80 })}`
    expect(rendered).toContain(`add rule ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto ${local} }`)
    expect(rendered).toContain('add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 , 1 : goto endpoint-'+nftEndpointChainBase(svc, { address: '10.180.2.1', port: 80 })+' }')
    expect(rendered.some((l) => l.startsWith('add element ip kube-proxy no-endpoint-nodeports'))).toBe(false)
  })

  it('renderNftables masquerades every source reaching the ClusterIP with masqueradeAll, off-cluster ones only without', () => {
    // proxier.go, "Set up internal traffic handling": masqueradeAll → `ip daddr <clusterIP> ... jump
    // mark-for-masquerade` with no source match; else the local detector's `ip saddr != <cluster CIDR>`.
    const i = { ...CASES[0]!.input, masqueradeAll: true }
    const masq = (r: string[]) => r.filter((l) => l.includes('service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41'))
    expect(masq(lines(renderNftables(i)))).toEqual(['add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 jump mark-for-masquerade'])
    expect(masq(lines(renderNftables(CASES[0]!.input)))).toEqual(['add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade'])
  })
})
