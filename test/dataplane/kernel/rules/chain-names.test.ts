/**
 * kube-proxy's chain-name hashes, checked against names that kube-proxy's own tests expect
 * (pkg/proxy/nftables/proxier_test.go `TestOverallNFTablesRules`, pkg/proxy/iptables/proxier_test.go
 * `TestOverallIPTablesRules` and the terminating-endpoints Local test with an unnamed port), and
 * base32 against RFC 4648 §10's test vectors.
 */
import { describe, expect, it } from 'vitest'
import { base32, iptablesDecisionChain, iptablesEndpointChain, iptablesPortProtoHash, nftEndpointChainBase, nftServiceChainBase } from '../../../../harness/dataplane/kernel/rules/chain-names.ts'
import { probability } from '../../../../harness/dataplane/kernel/rules/iptables.ts'

const svc = (ns: string, name: string, portName = 'p80') => ({ namespace: ns, name, portName, protocol: 'TCP' as const })
const ep = (address: string, port = 80) => ({ address, port })

describe('base32', () => {
  it.each([
    ['', ''],
    ['f', 'MY======'],
    ['fo', 'MZXQ===='],
    ['foo', 'MZXW6==='],
    ['foob', 'MZXW6YQ='],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI======'],
  ])('base32 encodes %j as RFC 4648 says', (text, encoded) => {
    expect(base32(Buffer.from(text))).toBe(encoded)
  })
})

describe('nftables chain names', () => {
  it.each([
    [svc('ns1', 'svc1'), 'ULMVA6XW-ns1/svc1/tcp/p80'],
    [svc('ns2', 'svc2'), '42NFTM6N-ns2/svc2/tcp/p80'],
    [svc('ns3', 'svc3'), '4AT6LBPK-ns3/svc3/tcp/p80'],
    [svc('ns4', 'svc4'), 'LAUZTJTB-ns4/svc4/tcp/p80'],
    [svc('ns5', 'svc5'), 'HVFWP5L3-ns5/svc5/tcp/p80'],
  ])('nftServiceChainBase names %o as TestOverallNFTablesRules expects', (s, name) => {
    expect(nftServiceChainBase(s)).toBe(name)
  })

  it.each([
    [svc('ns1', 'svc1'), ep('10.180.0.1'), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80'],
    [svc('ns2', 'svc2'), ep('10.180.0.2'), 'SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80'],
    [svc('ns3', 'svc3'), ep('10.180.0.3'), 'UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80'],
    [svc('ns4', 'svc4'), ep('10.180.0.4'), 'UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80'],
    [svc('ns4', 'svc4'), ep('10.180.0.5'), '5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80'],
    [svc('ns5', 'svc5'), ep('10.180.0.3'), 'GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80'],
    [svc('ns3', 'svc3'), ep('10.0.3.2'), 'SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80'],
  ])('nftEndpointChainBase names %o %o as kube-proxy expects', (s, e, name) => {
    expect(nftEndpointChainBase(s, e)).toBe(name)
  })
})

describe('iptables chain names', () => {
  it.each([
    [svc('ns1', 'svc1'), 'XPGD46QRK7WJZT7O'],
    [svc('ns2', 'svc2'), 'GNZBNJ2PO5MGZ6GT'],
    [svc('ns3', 'svc3'), 'X27LE4BHSL4DOUIK'],
    [svc('ns4', 'svc4'), '4SW47YFZTEDKD3PK'],
    [svc('ns5', 'svc5'), 'NUKIZ6OKUXPJNT4C'],
    [svc('ns1', 'svc1', ''), 'AQI2S6QIMU7PVVRP'],
  ])('iptablesPortProtoHash hashes %o as TestOverallIPTablesRules expects', (s, hash) => {
    expect(iptablesPortProtoHash(s)).toBe(hash)
  })

  it.each([
    [svc('ns1', 'svc1'), ep('10.180.0.1'), 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
    [svc('ns2', 'svc2'), ep('10.180.0.2'), 'KUBE-SEP-RS4RBKLTHTF2IUXJ'],
    [svc('ns3', 'svc3'), ep('10.180.0.3'), 'KUBE-SEP-OYPFS5VJICHGATKP'],
    [svc('ns4', 'svc4'), ep('10.180.0.4'), 'KUBE-SEP-UKSFD7AGPMPPLUHC'],
    [svc('ns4', 'svc4'), ep('10.180.0.5'), 'KUBE-SEP-C6EBXVWJJZMIWKLZ'],
    [svc('ns5', 'svc5'), ep('10.180.0.3'), 'KUBE-SEP-I77PXRDZVX7PMWMN'],
    [svc('ns1', 'svc1', ''), ep('10.0.1.1'), 'KUBE-SEP-3JOIVZTXZZRGORX4'],
    [svc('ns1', 'svc1', ''), ep('10.0.1.3'), 'KUBE-SEP-XGJFVO3L2O5SRFNT'],
  ])('iptablesEndpointChain names %o %o as kube-proxy expects', (s, e, name) => {
    expect(iptablesEndpointChain(s, e)).toBe(name)
  })

  it('iptablesDecisionChain fits iptables chain names (28 characters) and differs per pod', () => {
    expect(iptablesDecisionChain('pod-1')).toMatch(/^SVCB-DEC-[A-Z2-7]{16}$/)
    expect(iptablesDecisionChain('pod-1')).not.toBe(iptablesDecisionChain('pod-2'))
  })
})

describe('probability', () => {
  it.each([
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [4, '0.2500000000'],
    [6, '0.1666666667'],
    [7, '0.1428571429'],
  ])('probability(%i) is kube-proxy\'s computeProbability text %s', (n, text) => {
    expect(probability(n)).toBe(text)
  })
})
