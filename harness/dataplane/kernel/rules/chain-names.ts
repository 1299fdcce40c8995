/**
 * kube-proxy's chain names, ported exactly: both proxiers name a Service's chains after a SHA-256
 * of the service port name, encoded as RFC 4648 base32 (Go's `base32.StdEncoding`) and cut short.
 * - nftables (pkg/proxy/nftables/proxier.go `hashAndTruncate`, `servicePortChainNameBase`,
 *   `servicePortEndpointChainNameBase`): `<8 chars>-ns/svc/proto/port[__ip/port]`, e.g.
 *   `ULMVA6XW-ns1/svc1/tcp/p80`.
 * - iptables (pkg/proxy/iptables/proxier.go `portProtoHash`, `servicePortEndpointChainName`): 16
 *   chars of the hash of `ns/svc:port` + protocol (+ `ip:port`), e.g. `KUBE-SVC-XPGD46QRK7WJZT7O`.
 */
import { createHash } from 'node:crypto'
import type { RuleEndpoint, RuleService } from './types.ts'

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32 with `=` padding, as Go's `base32.StdEncoding.EncodeToString`. */
export function base32(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31]
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=')
}

/** base32 of the SHA-256 of `text`. */
function hashBase32(text: string): string {
  return base32(createHash('sha256').update(text, 'utf8').digest())
}

/** The Service port's protocol as kube-proxy writes it into names and rules (`strings.ToLower`). */
export function protocolName(service: Pick<RuleService, 'protocol'>): 'tcp' | 'udp' {
  return service.protocol === 'TCP' ? 'tcp' : 'udp'
}

/** `ServicePortName.String()`: `ns/svc:port`, or `ns/svc` for an unnamed port (pkg/proxy/types.go). */
export function servicePortNameString(service: Pick<RuleService, 'namespace' | 'name' | 'portName'>): string {
  const port = service.portName ?? ''
  return `${service.namespace}/${service.name}${port === '' ? '' : `:${port}`}`
}

/** `BaseEndpointInfo.String()`: `ip:port`. */
export function endpointString(ep: Pick<RuleEndpoint, 'address' | 'port'>): string {
  return `${ep.address}:${ep.port}`
}

/** nftables `chainNameBaseLengthMax`: knftables.NameLengthMax (256) less the longest prefix (16). */
const NFT_CHAIN_NAME_BASE_LENGTH_MAX = 256 - 16

/** nftables `hashAndTruncate`: 8 hash characters, a dash, the name; cut to 240 with `...`. */
function hashAndTruncate(name: string): string {
  const hashed = `${hashBase32(name).slice(0, 8)}-${name}`
  return hashed.length > NFT_CHAIN_NAME_BASE_LENGTH_MAX ? `${hashed.slice(0, NFT_CHAIN_NAME_BASE_LENGTH_MAX - 3)}...` : hashed
}

/** nftables `servicePortChainNameBase`: `HASH-ns/svc/proto/port`. */
export function nftServiceChainBase(service: Pick<RuleService, 'namespace' | 'name' | 'portName' | 'protocol'>): string {
  return hashAndTruncate(`${service.namespace}/${service.name}/${protocolName(service)}/${service.portName ?? ''}`)
}

/** nftables `servicePortEndpointChainNameBase`: `HASH-ns/svc/proto/port__ip/port` (IPv4 only here). */
export function nftEndpointChainBase(service: Pick<RuleService, 'namespace' | 'name' | 'portName' | 'protocol'>, ep: Pick<RuleEndpoint, 'address' | 'port'>): string {
  return hashAndTruncate(`${service.namespace}/${service.name}/${protocolName(service)}/${service.portName ?? ''}__${ep.address}/${ep.port}`)
}

/** iptables `portProtoHash`: 16 hash characters of `ns/svc:port` + `tcp`. */
export function iptablesPortProtoHash(service: Pick<RuleService, 'namespace' | 'name' | 'portName' | 'protocol'>): string {
  return hashBase32(servicePortNameString(service) + protocolName(service)).slice(0, 16)
}

/** iptables `servicePortEndpointChainName`: `KUBE-SEP-` and 16 hash characters of `ns/svc:port` + `tcp` + `ip:port`. */
export function iptablesEndpointChain(service: Pick<RuleService, 'namespace' | 'name' | 'portName' | 'protocol'>, ep: Pick<RuleEndpoint, 'address' | 'port'>): string {
  return `KUBE-SEP-${hashBase32(servicePortNameString(service) + protocolName(service) + endpointString(ep)).slice(0, 16)}`
}

/**
 * svcbench's own per-endpoint decision counter chain (iptables): `SVCB-DEC-` and 16 hash
 * characters of the endpoint name, within iptables' 28-character chain names.
 */
export function iptablesDecisionChain(endpointName: string): string {
  return `SVCB-DEC-${hashBase32(endpointName).slice(0, 16)}`
}
