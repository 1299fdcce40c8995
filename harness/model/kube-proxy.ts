/**
 * The kube-proxy vocabulary every layer shares: modes, IPVS schedulers and flags, algorithm and
 * alias names, and the endpoint a balancer picks. Types and constants only.
 */

/** kube-proxy modes (KubeProxyConfiguration `mode`). */
export const PROXY_MODES = ['iptables', 'nftables', 'ipvs', 'userspace'] as const
export type ProxyMode = (typeof PROXY_MODES)[number]

/** IPVS schedulers (KubeProxyConfiguration `ipvs.scheduler`). */
export const IPVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'sed', 'nq', 'mh'] as const
export type IpvsScheduler = (typeof IPVS_SCHEDULERS)[number]

/** IPVS scheduler flags (ipvsadm `-b`). */
export const IPVS_FLAGS = ['sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'] as const
export type IpvsFlag = (typeof IPVS_FLAGS)[number]

/** Every balancing algorithm by registry name (= its file name under balancers/). */
export const ALGORITHM_NAMES = [
  'round-robin',
  'random',
  'ip-hash',
  'least-conn',
  'nftables',
  'weighted-round-robin',
  'weighted-least-conn',
  'destination-hash',
  'shortest-expected-delay',
  'never-queue',
  'maglev',
  'userspace',
] as const
/** An algorithm's registry name. */
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number]

/** `service.balancer`: friendly names for four kube-proxy configurations. */
export const BALANCER_ALIASES = {
  'round-robin': { proxyMode: 'ipvs', ipvsScheduler: 'rr' },
  random: { proxyMode: 'iptables', ipvsScheduler: undefined },
  'ip-hash': { proxyMode: 'ipvs', ipvsScheduler: 'sh' },
  'least-conn': { proxyMode: 'ipvs', ipvsScheduler: 'lc' },
} as const satisfies Record<string, { proxyMode: ProxyMode; ipvsScheduler: IpvsScheduler | undefined }>

/** A `service.balancer` alias. */
export type BalancerName = keyof typeof BALANCER_ALIASES

/** All aliases, in documentation order. */
export const BALANCER_NAMES = Object.keys(BALANCER_ALIASES) as [BalancerName, ...BalancerName[]]

/** A pod a balancer can pick (what an EndpointSlice endpoint carries to kube-proxy). */
export interface Endpoint {
  /** Pod name, e.g. `pod-1`. */
  name: string
  /** Pod address (a 127.x address). */
  address: string
  /** Pod port. */
  port: number
  /** Node the pod runs on. */
  node: string
  /**
   * IPVS weight. 0 means quiesced: listed but given no new connections (what kube-proxy does to a
   * terminating endpoint before deleting it). @default 1
   */
  weight?: number
  /** Being deleted but still serving (KEP-1669): used only when no ready endpoint is left. */
  terminating?: boolean
}

/** IPVS scheduler flags (ipvsadm -b). */
export interface SchedulerFlags {
  /** `sh-port` / `mh-port`: hash the source port too. */
  hashPort?: boolean
  /** `sh-fallback` / `mh-fallback`: when the hashed endpoint is unavailable, try others. */
  fallback?: boolean
}

/**
 * The IPVS connection timeouts kube-proxy can set (KubeProxyConfiguration `ipvs.tcpTimeout`,
 * `ipvs.tcpFinTimeout`, `ipvs.udpTimeout`; 0 keeps the kernel's), resolved to ms. ipvsadm's
 * `--set tcp tcpfin udp` writes them into the ESTABLISHED, FIN_WAIT and UDP entries of the
 * protocol's timeout table (net/netfilter/ipvs/ip_vs_ctl.c, `ip_vs_set_timeout`); every other TCP
 * state keeps its kernel timeout (ip_vs_proto_tcp.c `tcp_timeouts`).
 */
export interface IpvsTimeouts {
  /** ESTABLISHED entries, ms. @default 900000 */
  tcpMs: number
  /** FIN_WAIT entries (the pod closed, the client not yet), ms. @default 120000 */
  tcpFinMs: number
  /** UDP entries, ms (svcbench carries TCP only). @default 300000 */
  udpMs: number
}

/** The kernel's own timeouts (ip_vs_proto_tcp.c `tcp_timeouts`, ip_vs_proto_udp.c `udp_timeouts`): what kube-proxy's 0 keeps. */
export const KERNEL_IPVS_TIMEOUTS: IpvsTimeouts = { tcpMs: 900_000, tcpFinMs: 120_000, udpMs: 300_000 }
