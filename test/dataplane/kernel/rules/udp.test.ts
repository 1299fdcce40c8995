/**
 * A UDP Service's rules for in-cluster clients, in both modes: the same masquerade decisions as
 * TCP's (the ClusterIP's off-cluster sources, or every source under masqueradeAll; a pod reaching
 * itself, hairpin) with the protocol in every match and DNAT. kube-proxy writes the protocol from
 * the Service port (`protocol := strings.ToLower(string(svcInfo.Protocol()))` in
 * pkg/proxy/iptables/proxier.go syncProxyRules: `-m <protocol> -p <protocol>`; nftables:
 * `meta l4proto <protocol> dnat to`), and the masquerade rules match addresses only.
 */
import { describe, expect, it } from 'vitest'
import { renderIptables } from '../../../../harness/dataplane/kernel/rules/iptables.ts'
import { renderNftables } from '../../../../harness/dataplane/kernel/rules/nftables.ts'
import { ep, input, lines, service } from './kube-proxy-inputs.ts'

const dns = service('kube-system', 'kube-dns', { portName: 'dns', protocol: 'UDP', clusterIP: '172.30.0.10', port: 53, targetPort: 53 })
const pod = ep('10.180.0.1', { port: 53 })

describe('a UDP Service\'s rules for in-cluster clients', () => {
  it.each([
    ['off-cluster sources only', false, '-m udp -p udp -d 172.30.0.10 --dport 53 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ'],
    ['every source under masqueradeAll', true, '-m udp -p udp -d 172.30.0.10 --dport 53 -j KUBE-MARK-MASQ'],
  ])('renderIptables masquerades %s at the ClusterIP, and a pod reaching itself; DNATs udp', (_what, masqueradeAll, clusterMasq) => {
    const r = lines(renderIptables({ ...input('iptables', dns, [pod]), masqueradeAll }))
    expect(r.filter((l) => l.startsWith('-A KUBE-SVC-') && l.endsWith('-j KUBE-MARK-MASQ')).map((l) => l.split('"kube-system/kube-dns:dns cluster IP" ')[1])).toEqual([clusterMasq])
    expect(r.filter((l) => l.startsWith('-A KUBE-SEP-') && l.includes('KUBE-MARK-MASQ'))).toEqual([expect.stringMatching(/ -s 10\.180\.0\.1 -j KUBE-MARK-MASQ$/)])
    expect(r.filter((l) => l.includes('-j DNAT'))).toEqual([expect.stringMatching(/ -m udp -p udp -j DNAT --to-destination 10\.180\.0\.1:53$/)])
    expect(r).toContainEqual('-A KUBE-SERVICES -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 172.30.0.10 --dport 53 -j ' + r.find((l) => l.startsWith(':KUBE-SVC-'))!.split(' ')[0]!.slice(1))
  })

  it.each([
    ['off-cluster sources only', false, 'ip daddr 172.30.0.10 ip saddr != 10.0.0.0/8 jump mark-for-masquerade'],
    ['every source under masqueradeAll', true, 'ip daddr 172.30.0.10 jump mark-for-masquerade'],
  ])('renderNftables masquerades %s at the ClusterIP, and a pod reaching itself; DNATs udp', (_what, masqueradeAll, clusterMasq) => {
    const r = lines(renderNftables({ ...input('nftables', dns, [pod]), masqueradeAll }))
    expect(r.filter((l) => l.includes('ip daddr 172.30.0.10') && l.endsWith('jump mark-for-masquerade'))).toEqual([expect.stringMatching(new RegExp(`^add rule ip kube-proxy service-[A-Z2-7]{8}-kube-system/kube-dns/udp/dns ${clusterMasq}$`))])
    expect(r.filter((l) => l.includes('ip saddr 10.180.0.1 jump mark-for-masquerade'))).toHaveLength(1)
    expect(r.filter((l) => l.includes(' dnat to '))).toEqual([expect.stringMatching(/ meta l4proto udp dnat to 10\.180\.0\.1:53$/)])
  })
})
