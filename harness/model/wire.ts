/**
 * What crosses a process boundary: the IPC messages between the run process and its children,
 * and each child's configuration. Types and constants only; harness/process/ipc.ts is the child
 * side of the protocol, harness/process/child.ts the parent side.
 */
import type { AlgorithmName, Endpoint, IpvsTimeouts, ProxyMode, SchedulerFlags } from './kube-proxy.ts'
import type { LbSettings } from './load-balancer.ts'
import type { ResolvedLatency, UdpConntrackCleanup } from './scenario.ts'

/** Parent → child request. */
export interface IpcRequest {
  id: number
  type: string
  payload?: unknown
}

/** Child → parent reply to a request. */
export interface IpcReply {
  id: number
  ok: boolean
  data?: unknown
  error?: string
}

/** Child → parent, once: listening and ready for traffic, or failed to start (a command pod's supervisor first names its server's process group). */
export type IpcHello = { type: 'ready'; data?: unknown } | { type: 'failed'; error: string } | { type: 'group'; groupPid: number }

/** Environment variable carrying a child's JSON config. */
export const CHILD_CONFIG_ENV = 'SVCBENCH_CHILD_CONFIG'


/** argv marker on every child, so that tests (and people) can find a run's processes. */
export const RUN_MARKER_PREFIX = '--svcbench-run='

/** Prefix of every network namespace svcbench creates (the kernel dataplane's; leftovers are found by it). */
export const RUN_NETNS_PREFIX = 'svb-'


/**
 * User-Agent of svcbench's kubelet probes, as the kubelet sends `kube-probe/<major>.<minor>`
 * (kubernetes pkg/probe/http/request.go): built-in pods answer any request carrying it as a probe
 * (not counted), whatever its path.
 */
export const KUBE_PROBE_USER_AGENT = 'kube-probe/1.33'

/** Configuration of one pod. */
export interface PodConfig {
  name: string
  node: string
  address: string
  port: number
  /** Other ports the pod's probes use (httpGet or tcpSocket on a port of their own): it listens there for them too. @default [] */
  probePorts?: number[]
  latency: ResolvedLatency
  responseBytes: number
  errorRate: number
  seed: number
  /** The Service's protocol: with UDP the pod answers queries on its port over UDP too (its probes stay on TCP). @default 'TCP' */
  protocol?: 'TCP' | 'UDP'
}

/** A fault injected into a running pod (hang-pod, slow-pod, fail-pod; recover-pod clears it). */
export interface PodFault {
  /** Accept connections and requests, never answer (the readiness probe included). */
  hang: boolean
  /** Latency added to every answer (the readiness probe included), ms. */
  extraLatencyMs: number
  /** Replaces the configured error rate for requests (the probe still passes); null = configured. */
  errorRate: number | null
}

/** No fault. */
export const NO_FAULT: PodFault = { hang: false, extraLatencyMs: 0, errorRate: null }

/** Configuration of one command pod. */
export interface CommandPodConfig {
  name: string
  address: string
  port: number
  argv: string[]
  cwd: string
  env: Record<string, string>
  readinessPath: string
  startupTimeoutMs: number
  /** Appended to; created with its folder. */
  logFile: string
  /** Put in the server's environment as SVCBENCH_RUN, so a run's processes can be found. */
  runId: string
}

/** What the supervisor reports with `ready`: the server's process group (its pid). */
export interface CommandPodReady {
  port: number
  groupPid: number
}

/** Where another node relays to one pod. */
export interface HopRoute {
  pod: string
  node: string
  nodeAddress: string
  hopPort: number
  /** The pod's own address and port (the relay's target). */
  podAddress: string
  podPort: number
}

/** Configuration of one node proxy. */
export interface NodeProxyConfig {
  node: string
  address: string
  /** The NodePort it listens on; null for a ClusterIP Service (it has none). */
  nodePort: number | null
  /**
   * Where the node intercepts the Service's ClusterIP for its in-cluster clients (its stand-in
   * address on loopback and the Service's port); null or absent: no in-cluster client runs.
   */
  clusterIp?: { address: string; port: number } | null
  /** Policy for ClusterIP traffic. @default 'Cluster' */
  internalTrafficPolicy?: 'Cluster' | 'Local'
  /** kube-proxy's masqueradeAll: every ClusterIP connection from the node's address. @default false */
  masqueradeAll?: boolean
  /** kube-proxy mode: ipvs runs the scheduler inside the node's IPVS virtual service. */
  proxyMode: ProxyMode
  algorithm: AlgorithmName
  flags: SchedulerFlags
  /** IPVS timeouts in force, ms. */
  ipvsTimeouts: IpvsTimeouts
  balancing: 'connection' | 'request'
  /** Seed of this node's rng (random, nftables). */
  seed: number
  /** Seed of hash keys, the same on every node (IPVS Maglev keys are constants). */
  hashSeed: number
  /** sessionAffinity ClientIP timeout, or null for None. */
  sessionAffinityTimeoutSeconds: number | null
  externalTrafficPolicy: 'Cluster' | 'Local'
  /** Every pod of the Service. */
  endpoints: Endpoint[]
  hops: HopRoute[]
  hopLatencyMs: number
  /** LoadBalancer with externalTrafficPolicy Local: kube-proxy's health check port; null otherwise. */
  healthCheckNodePort: number | null
  /**
   * The pods are svcbench's own (not cluster.pod.command): they count their requests themselves,
   * and they speak a fixed dialect the L7 proxy's lean client handles. Otherwise the proxies count
   * each pod's requests, and the L7 proxy uses its general client.
   */
  builtInPods: boolean
  /** A UDP Service: the node forwards UDP flows (proxy/udp-node.ts) instead of TCP; absent for TCP. @default absent */
  udp?: {
    /** conntrack's unreplied timeout, ms. */
    timeoutMs: number
    /** conntrack's stream timeout, ms. */
    streamTimeoutMs: number
    /** What an endpoint change does to the flows (service.udpConntrackCleanup). */
    cleanup: UdpConntrackCleanup
  }
}

/** A node behind the load balancer. */
export interface LbNode {
  name: string
  address: string
}

/** Configuration of the load balancer process. */
export interface LbConfig {
  address: string
  port: number
  settings: LbSettings
  nodes: LbNode[]
  nodePort: number
  healthCheckNodePort: number
  externalTrafficPolicy: 'Cluster' | 'Local'
  seed: number
  /** The Service's protocol: TCP connections (L4 or L7), or UDP flows (harness/lb/udp.ts). */
  protocol: 'TCP' | 'UDP'
  /** UDP only: a flow without a datagram either way for this long ends, ms (the NLB's fixed 120 s). */
  udpIdleTimeoutMs: number
  /**
   * False when no node can pass the health check (lb/health.ts: a UDP NodePort's TCP check): every
   * node starts unhealthy, as a target that never passed its first checks, so the load balancer
   * fails open (or refuses) from the start instead of taking nodes out one by one mid-run.
   */
  healthCheckCanPass: boolean
  /** PEM key and certificate when settings.tls. */
  tlsCredentials: { key: string; cert: string } | null
}
