/**
 * renderIptables against kube-proxy's own expectations in pkg/proxy/iptables/proxier_test.go:
 * `TestOverallIPTablesRules` Service by Service (reduced to what svcbench models: no LoadBalancer
 * or external IPs), and the "ready endpoints exist" / "only terminating endpoints exist" cases of
 * `TestEndpointSliceWithTerminatingEndpointsTrafficPolicyLocal` (unnamed port, ClientIP affinity,
 * Local, terminating endpoints). Every line kube-proxy expects must be rendered; every other line
 * must be one of the differences docs/kernel-rules.md lists.
 */
import { describe, expect, it } from 'vitest'
import { renderIptables } from '../../../../harness/dataplane/kernel/rules/iptables.ts'
import { ep, input, lines, service, TEST_NODE } from './kube-proxy-inputs.ts'

/** kube-proxy's fixed chains and rules (KUBE-FIREWALL, for localhost NodePorts, left out). */
const BASE = `
  *filter
  :KUBE-NODEPORTS - [0:0]
  :KUBE-SERVICES - [0:0]
  :KUBE-EXTERNAL-SERVICES - [0:0]
  :KUBE-FORWARD - [0:0]
  :KUBE-PROXY-FIREWALL - [0:0]
  -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
  -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
  -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  COMMIT
  *nat
  :KUBE-NODEPORTS - [0:0]
  :KUBE-SERVICES - [0:0]
  :KUBE-MARK-MASQ - [0:0]
  :KUBE-POSTROUTING - [0:0]
  -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
  -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
  -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
  COMMIT
`
const SVC1 = `
  :KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
  :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
  -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
  -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
  -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
  -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
`
const SVC2 = `
  -A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
  -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
  :KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
  :KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
  :KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
  -A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
  -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
  -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
  -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
  -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
  -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
  -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
  -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
`
const SVC3 = `
  :KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
  :KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
  :KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
  -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
  -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
  -A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
  -A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
  -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
  -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
  -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
`
const SVC4 = `
  :KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
  :KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
  :KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
  -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
  -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
  -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
  -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
  -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
  -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
  -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
`
const SVC6 = `
  -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
`
// TestEndpointSliceWithTerminatingEndpointsTrafficPolicyLocal: the lines both of its cases share
// (its LB IP left out), then each case's own.
const TERMINATING_BOTH = `
  -A KUBE-NODEPORTS -m comment --comment "ns1/svc1 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
  :KUBE-EXT-AQI2S6QIMU7PVVRP - [0:0]
  :KUBE-SVC-AQI2S6QIMU7PVVRP - [0:0]
  :KUBE-SVL-AQI2S6QIMU7PVVRP - [0:0]
  -A KUBE-SERVICES -m comment --comment "ns1/svc1 cluster IP" -m tcp -p tcp -d 172.30.1.1 --dport 80 -j KUBE-SVC-AQI2S6QIMU7PVVRP
  -A KUBE-EXT-AQI2S6QIMU7PVVRP -m comment --comment "pod traffic for ns1/svc1 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-AQI2S6QIMU7PVVRP
  -A KUBE-EXT-AQI2S6QIMU7PVVRP -m comment --comment "masquerade LOCAL traffic for ns1/svc1 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
  -A KUBE-EXT-AQI2S6QIMU7PVVRP -m comment --comment "route LOCAL traffic for ns1/svc1 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-AQI2S6QIMU7PVVRP
  -A KUBE-EXT-AQI2S6QIMU7PVVRP -j KUBE-SVL-AQI2S6QIMU7PVVRP
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 cluster IP" -m tcp -p tcp -d 172.30.1.1 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
  -A KUBE-NODEPORTS -m comment --comment ns1/svc1 -m tcp -p tcp --dport 30100 -j KUBE-EXT-AQI2S6QIMU7PVVRP
`
// "ready endpoints exist".
const TERMINATING_READY = `
  :KUBE-SEP-3JOIVZTXZZRGORX4 - [0:0]
  :KUBE-SEP-EQCHZ7S2PJ72OHAY - [0:0]
  :KUBE-SEP-IO5XOSKPAXIFQXAJ - [0:0]
  -A KUBE-SEP-3JOIVZTXZZRGORX4 -m comment --comment ns1/svc1 -s 10.0.1.1 -j KUBE-MARK-MASQ
  -A KUBE-SEP-3JOIVZTXZZRGORX4 -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-3JOIVZTXZZRGORX4 --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80
  -A KUBE-SEP-EQCHZ7S2PJ72OHAY -m comment --comment ns1/svc1 -s 10.0.1.5 -j KUBE-MARK-MASQ
  -A KUBE-SEP-EQCHZ7S2PJ72OHAY -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-EQCHZ7S2PJ72OHAY --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.5:80
  -A KUBE-SEP-IO5XOSKPAXIFQXAJ -m comment --comment ns1/svc1 -s 10.0.1.2 -j KUBE-MARK-MASQ
  -A KUBE-SEP-IO5XOSKPAXIFQXAJ -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.2:80
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.1:80" -m recent --name KUBE-SEP-3JOIVZTXZZRGORX4 --rcheck --seconds 10800 --reap -j KUBE-SEP-3JOIVZTXZZRGORX4
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --rcheck --seconds 10800 --reap -j KUBE-SEP-IO5XOSKPAXIFQXAJ
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.5:80" -m recent --name KUBE-SEP-EQCHZ7S2PJ72OHAY --rcheck --seconds 10800 --reap -j KUBE-SEP-EQCHZ7S2PJ72OHAY
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.1:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-3JOIVZTXZZRGORX4
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-IO5XOSKPAXIFQXAJ
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.5:80" -j KUBE-SEP-EQCHZ7S2PJ72OHAY
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.1:80" -m recent --name KUBE-SEP-3JOIVZTXZZRGORX4 --rcheck --seconds 10800 --reap -j KUBE-SEP-3JOIVZTXZZRGORX4
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --rcheck --seconds 10800 --reap -j KUBE-SEP-IO5XOSKPAXIFQXAJ
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.1:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-3JOIVZTXZZRGORX4
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -j KUBE-SEP-IO5XOSKPAXIFQXAJ
`
// The same test, "only terminating endpoints exist".
const TERMINATING_ONLY = `
  :KUBE-SEP-EQCHZ7S2PJ72OHAY - [0:0]
  :KUBE-SEP-IO5XOSKPAXIFQXAJ - [0:0]
  :KUBE-SEP-XGJFVO3L2O5SRFNT - [0:0]
  -A KUBE-SEP-EQCHZ7S2PJ72OHAY -m comment --comment ns1/svc1 -s 10.0.1.5 -j KUBE-MARK-MASQ
  -A KUBE-SEP-EQCHZ7S2PJ72OHAY -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-EQCHZ7S2PJ72OHAY --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.5:80
  -A KUBE-SEP-IO5XOSKPAXIFQXAJ -m comment --comment ns1/svc1 -s 10.0.1.2 -j KUBE-MARK-MASQ
  -A KUBE-SEP-IO5XOSKPAXIFQXAJ -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.2:80
  -A KUBE-SEP-XGJFVO3L2O5SRFNT -m comment --comment ns1/svc1 -s 10.0.1.3 -j KUBE-MARK-MASQ
  -A KUBE-SEP-XGJFVO3L2O5SRFNT -m comment --comment ns1/svc1 -m recent --name KUBE-SEP-XGJFVO3L2O5SRFNT --set -m tcp -p tcp -j DNAT --to-destination 10.0.1.3:80
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.5:80" -m recent --name KUBE-SEP-EQCHZ7S2PJ72OHAY --rcheck --seconds 10800 --reap -j KUBE-SEP-EQCHZ7S2PJ72OHAY
  -A KUBE-SVC-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.5:80" -j KUBE-SEP-EQCHZ7S2PJ72OHAY
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m recent --name KUBE-SEP-IO5XOSKPAXIFQXAJ --rcheck --seconds 10800 --reap -j KUBE-SEP-IO5XOSKPAXIFQXAJ
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.3:80" -m recent --name KUBE-SEP-XGJFVO3L2O5SRFNT --rcheck --seconds 10800 --reap -j KUBE-SEP-XGJFVO3L2O5SRFNT
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-IO5XOSKPAXIFQXAJ
  -A KUBE-SVL-AQI2S6QIMU7PVVRP -m comment --comment "ns1/svc1 -> 10.0.1.3:80" -j KUBE-SEP-XGJFVO3L2O5SRFNT
`

const local = { node: TEST_NODE }
const st = { ready: false, serving: true, terminating: true }
const gone = { ready: false, serving: false, terminating: true }
const terminatingSvc = service('ns1', 'svc1', { portName: '', clusterIP: '172.30.1.1', nodePort: 30100, externalTrafficPolicy: 'Local', sessionAffinityTimeoutSeconds: 10800, healthCheckNodePort: 30000 })

const CASES = [
  { name: 'svc1 (ClusterIP)', input: input('iptables', service('ns1', 'svc1', { clusterIP: '172.30.0.41' }), [ep('10.180.0.1')]), expected: SVC1 },
  {
    name: 'svc2 (Local, no local endpoint)',
    input: input('iptables', service('ns2', 'svc2', { clusterIP: '172.30.0.42', nodePort: 3001, externalTrafficPolicy: 'Local', healthCheckNodePort: 30000 }), [ep('10.180.0.2')]),
    expected: SVC2,
  },
  { name: 'svc3 (NodePort)', input: input('iptables', service('ns3', 'svc3', { clusterIP: '172.30.0.43', nodePort: 3003 }), [ep('10.180.0.3')]), expected: SVC3 },
  { name: 'svc4 (two endpoints)', input: input('iptables', service('ns4', 'svc4', { clusterIP: '172.30.0.44' }), [ep('10.180.0.4'), ep('10.180.0.5', local)]), expected: SVC4 },
  { name: 'svc6 (no endpoints)', input: input('iptables', service('ns6', 'svc6', { clusterIP: '172.30.0.46' }), []), expected: SVC6 },
  {
    name: 'Local with affinity, ready endpoints exist',
    input: input('iptables', terminatingSvc, [ep('10.0.1.1', local), ep('10.0.1.2', local), ep('10.0.1.3', { ...local, ...st }), ep('10.0.1.4', { ...local, ...gone }), ep('10.0.1.5', { node: 'host-1' })]),
    // Our Service has a NodePort (the KUBE-NODEPORTS line) where kube-proxy's test had an LB IP.
    expected: TERMINATING_BOTH + TERMINATING_READY,
  },
  {
    name: 'Local with affinity, only terminating endpoints exist',
    input: input('iptables', terminatingSvc, [ep('10.0.1.2', { ...local, ...st }), ep('10.0.1.3', { ...local, ...st }), ep('10.0.1.4', { ...local, ...gone }), ep('10.0.1.5', { node: 'host-1' })]),
    expected: TERMINATING_BOTH + TERMINATING_ONLY,
  },
]

/** The rendered lines that differ from kube-proxy's test expectations on purpose (docs/kernel-rules.md). */
const isKnownDifference = (line: string) =>
  // svcbench's decision counting chains and the jumps to them.
  /SVCB-DEC-[A-Z2-7]{16}/.test(line) ||
  // The fake iptables of the test lacks --random-fully; iptables 1.8 has it.
  line === '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully' ||
  // NodePorts on the node's address (nodePortAddresses set) where the test uses all local addresses.
  line === '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.0.2 -j KUBE-NODEPORTS'

describe('renderIptables', () => {
  it.each(CASES)('renderIptables writes $name as kube-proxy\'s tests expect', ({ input: i, expected }) => {
    const rendered = lines(renderIptables(i))
    const want = [...lines(BASE), ...lines(expected)]
    expect(rendered.filter((l) => !want.includes(l) && !isKnownDifference(l))).toEqual([])
    expect(want.filter((l) => !rendered.includes(l))).toEqual([])
  })

  it('renderIptables puts the NodePort catch-all last in KUBE-SERVICES and each table in one COMMIT', () => {
    const text = renderIptables(CASES[2]!.input)
    const services = lines(text).filter((l) => l.startsWith('-A KUBE-SERVICES '))
    expect(services.at(-1)).toContain('-j KUBE-NODEPORTS')
    expect(lines(text).filter((l) => l === 'COMMIT')).toHaveLength(2)
  })

  it('renderIptables counts each endpoint just before its DNAT, in a chain named for the pod', () => {
    const rendered = lines(renderIptables(CASES[3]!.input))
    const sep = rendered.filter((l) => l.startsWith('-A KUBE-SEP-UKSFD7AGPMPPLUHC '))
    expect(sep[1]).toMatch(/^-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4\/svc4:p80 -j SVCB-DEC-[A-Z2-7]{16}$/)
    expect(sep[2]).toContain('-j DNAT --to-destination 10.180.0.4:80')
    const counter = sep[1]!.split(' -j ')[1]!
    expect(rendered).toContain(`-A ${counter} -m comment --comment pod-10.180.0.4 -j RETURN`)
  })

  it('renderIptables masquerades every source reaching the ClusterIP with masqueradeAll, off-cluster ones only without', () => {
    // proxier.go, "Set up internal traffic handling": `natRules.Write("-A", internalTrafficChain, args,
    // "-j", kubeMarkMasqChain)` under masqueradeAll, else with `proxier.localDetector.IfNotLocal()`.
    const masq = (r: string[]) => r.filter((l) => l.startsWith('-A KUBE-SVC-XPGD46QRK7WJZT7O ') && l.endsWith('-j KUBE-MARK-MASQ'))
    expect(masq(lines(renderIptables({ ...CASES[0]!.input, masqueradeAll: true })))).toEqual(['-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ'])
    expect(masq(lines(renderIptables(CASES[0]!.input)))).toEqual(['-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ'])
  })
})
