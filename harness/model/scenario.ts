/**
 * A scenario as it runs: every variant resolved, every default filled, every duration in ms.
 * Produced by scenario/resolve.ts, read by everything that runs or reports. Types and constants only.
 */
import type { AlgorithmName, BalancerName, IpvsFlag, IpvsScheduler, IpvsTimeouts, ProxyMode } from './kube-proxy.ts'
import type { LbSettings } from './load-balancer.ts'

/**
 * What carries a Service's traffic (`service.dataplane`): `proxy`, svcbench's node proxy processes
 * on loopback addresses; `kernel`, kube-proxy's own nftables/iptables rules in network namespaces
 * the run creates (harness/dataplane/).
 */
export const DATAPLANES = ['proxy', 'kernel'] as const
export type DataplaneName = (typeof DATAPLANES)[number]

/** A Service port's protocol (`service.protocol`; manifests: `ports[].protocol`). SCTP is refused. */
export const SERVICE_PROTOCOLS = ['TCP', 'UDP'] as const
export type ServiceProtocol = (typeof SERVICE_PROTOCOLS)[number]

/**
 * What happens to a UDP Service's conntrack entries when an endpoint stops serving
 * (`service.udpConntrackCleanup`): `kube-proxy`, its reconciler since 1.32 (every sync deletes the
 * entries to the Service whose reply source is not a serving endpoint, while at least one serves;
 * pkg/proxy/conntrack/cleanup.go `CleanStaleEntries`); `kube-proxy-1.31`, what came before (the
 * entries to each endpoint removed in a sync deleted, and every entry of the Service flushed when
 * it goes from no endpoints to some); `none`, nothing: entries live until they expire.
 */
export const UDP_CONNTRACK_CLEANUPS = ['kube-proxy', 'kube-proxy-1.31', 'none'] as const
export type UdpConntrackCleanup = (typeof UDP_CONNTRACK_CLEANUPS)[number]

/** How a UDP load's clients pick source ports (`load.udpSourcePort`): one per client for all its queries (a resolver's socket), or a new one per query. */
export type UdpSourcePort = 'fixed' | 'per-query'
/** Service types svcbench runs (`service.type`); ExternalName and headless Services have no virtual IP to balance. */
export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const
export type ServiceType = (typeof SERVICE_TYPES)[number]

/**
 * Where the load comes from (`load.from`): `external`, clients outside the cluster at the nodes'
 * NodePorts or the front load balancer; `cluster`, client pods on the nodes, each connecting to
 * the Service's ClusterIP through its own node's kube-proxy.
 */
export const LOAD_ORIGINS = ['external', 'cluster'] as const
export type LoadOrigin = (typeof LOAD_ORIGINS)[number]

/**
 * Which pods are the in-cluster clients (`load.clientPods`): `separate`, client pods of their own
 * placed on `load.clientNodes`; `endpoints`, the Service's own pods (a Service calling itself: a
 * connection may come back to the pod that opened it, kube-proxy's hairpin case).
 */
export const CLIENT_POD_KINDS = ['separate', 'endpoints'] as const
export type ClientPodKind = (typeof CLIENT_POD_KINDS)[number]

/** Fault actions (one file each under harness/faults/). */
export const FAULT_ACTIONS = ['kill-pod', 'hang-pod', 'slow-pod', 'fail-pod', 'recover-pod', 'delete-pod', 'kill-node', 'drain-node', 'scale', 'rolling-update'] as const
export type FaultAction = (typeof FAULT_ACTIONS)[number]

/** Threshold comparison operators (grammar in gate/thresholds.ts). */
export const THRESHOLD_OPS = ['<=', '>=', '==', '!=', '<', '>'] as const
export type ThresholdOp = (typeof THRESHOLD_OPS)[number]

/** One parsed condition on one metric. */
export interface Threshold {
  path: string
  /** As written, e.g. `< 25ms`. */
  condition: string
  op: ThresholdOp
  /** The limit in the metric's own unit. */
  limit: number
  abortOnFail: boolean
  /** abortOnFail: measured time before the condition may abort the run, ms. */
  delayAbortEvalMs: number
}

/** A pod's latency model, resolved. */
export interface ResolvedLatency {
  dist: 'constant' | 'exponential' | 'lognormal'
  /** Mean added service time, ms. */
  meanMs: number
  /** Target p99 for lognormal, ms (derived when not given). */
  p99Ms: number
}

/** A readiness probe with every Kubernetes default filled (core/v1 Probe). */
export interface ResolvedProbe {
  path: string
  periodSeconds: number
  timeoutSeconds: number
  failureThreshold: number
  successThreshold: number
  initialDelaySeconds: number
}

/** Probe handlers as a pod spec may write them (core/v1 Probe): exec and grpc cannot run here. */
export const PROBE_TYPES = ['httpGet', 'tcpSocket', 'exec', 'grpc'] as const
export type ProbeType = (typeof PROBE_TYPES)[number]

/** How a probe is carried out: as modelled here and as it was written. */
export interface ResolvedProbeHandler {
  /** What svcbench runs: an HTTP GET of the probe's path, or a TCP connect. */
  type: 'httpGet' | 'tcpSocket'
  /** What the scenario or pod spec said; exec and grpc are run as an HTTP GET of the path with the probe's timings. */
  writtenAs: ProbeType
  /** Port probed; null = the pod port. */
  port: number | null
}

/** One pod's settings (cluster.pod merged with its own overrides). */
export interface ResolvedPodSpec {
  /** IPVS weight; 0 = quiesced. */
  weight: number
  latency: ResolvedLatency
  responseBytes: number
  errorRate: number
}

/** One node and the pods it runs. */
export interface ResolvedNode {
  name: string
  /** Pod count on this node. */
  pods: number
  /** Settings of each of this node's pods, in order (length = pods). */
  podSpecs: ResolvedPodSpec[]
}

/** A fault with its target resolved to pod names. */
export interface ResolvedFault {
  /** From the start of the measured phase, ms. */
  atMs: number
  action: FaultAction
  /** kill-node: the node. */
  node: string | null
  /** Target as written (`pod-1`, `random`, `node:node-b`). */
  target: string
  /** The pods it applies to. */
  pods: string[]
  /** slow-pod: added latency, ms. */
  latencyMs: number
  /** fail-pod: error rate. */
  errorRate: number
  /** scale: the new replica count. */
  replicas: number
  /** rolling-update: surge and unavailability. */
  maxSurge: number
  maxUnavailable: number
}

/** Your own server as the pods (cluster.pod.command), resolved. */
export interface ResolvedCommand {
  /** Program and arguments; `node` is the Node.js running svcbench. */
  argv: string[]
  /** Absolute working directory. */
  cwd: string
  env: Record<string, string>
  readinessPath: string
  startupTimeoutMs: number
}

/** How requests are sent: `closed` (N clients, one request in flight each) or `open` (an arrival schedule). */
export type LoadModel = 'closed' | 'open'

/** How the open model spaces its arrivals: `constant` (evenly) or `poisson` (exponential gaps, seeded). */
export type ArrivalProcess = 'constant' | 'poisson'

/** One stage of an open-model rate: ramps linearly from the previous target to `targetRps` over `durationMs`. */
export interface ResolvedRateStage {
  /** How long the ramp takes, ms (0: a step). */
  durationMs: number
  /** The rate at the end of the stage, requests per second. */
  targetRps: number
}

/** One variant with every field present. */
export interface ResolvedVariant {
  /** Variant name (`default` when the scenario declares none). */
  name: string
  cluster: {
    nodes: ResolvedNode[]
    replicas: number
    /** Pod port on each pod address. */
    podPort: number
    pod: { latency: ResolvedLatency; responseBytes: number; errorRate: number }
    /** Your own server as the pods; null = svcbench's built-in pod. */
    command: ResolvedCommand | null
    /** Readiness probe with Kubernetes defaults, run by the endpoints controller. */
    readinessProbe: ResolvedProbe
    /** How the readiness probe is run (type, port) and how it was written. */
    readinessProbeHandler: ResolvedProbeHandler
    /** Startup probe: after a container restart, readiness is probed only once it has passed; null = none. */
    startupProbe: (ResolvedProbe & ResolvedProbeHandler) | null
    /** Delay from a readiness flip to every node proxy applying it, ms. */
    endpointPropagationMs: number
    /** Seconds before a dead node's pods are marked not ready. */
    nodeMonitorGracePeriodSeconds: number
    /** Pod slots kept free for scale-ups and rolling-update surges (placed after the pods). */
    spareSlots: number
    /** One process per pod, or one pod host process per node (large clusters). */
    podProcesses: 'per-pod' | 'per-node'
    terminationGracePeriodSeconds: number
    /** preStop sleep before SIGTERM on deletion, seconds. */
    preStopSleepSeconds: number
    network: { hopLatencyMs: number }
    /**
     * The nodes' UDP conntrack timeouts, ms (sysctls net.netfilter.nf_conntrack_udp_timeout and
     * nf_conntrack_udp_timeout_stream; nf_conntrack_proto_udp.c `udp_timeouts`: 30 s and 120 s).
     */
    conntrack: {
      /** An entry that has seen no reply, or whose flow is under 2 s old, ms. @default 30000 */
      udpTimeoutMs: number
      /** An entry that has seen a reply and is still used 2 s after its first packet (a stream), ms. @default 120000 */
      udpStreamTimeoutMs: number
    }
  }
  service: {
    /** What carries the traffic: svcbench's node proxies (`proxy`) or kube-proxy's rules in the kernel (`kernel`). */
    dataplane: DataplaneName
    /** The Service port's protocol: TCP (HTTP requests) or UDP (datagram queries, the open model). */
    protocol: ServiceProtocol
    /** UDP: what happens to the conntrack entries of an endpoint that stops serving. */
    udpConntrackCleanup: UdpConntrackCleanup
    /** `ClusterIP` (a virtual IP inside the cluster only), `NodePort`, `LoadBalancer` (a front load balancer over the NodePorts). */
    type: ServiceType
    /** NodePort and LoadBalancer: the port opened on every node. */
    nodePort: number
    /** The Service's port (spec.ports[].port): the ClusterIP's port, and a LoadBalancer's external port. */
    port: number
    /** LoadBalancer: kube-proxy's health check port (answers for Local). */
    healthCheckNodePort: number
    /** LoadBalancer: the front load balancer; null for NodePort. */
    loadBalancer: LbSettings | null
    /** kube-proxy mode. */
    proxyMode: ProxyMode
    /** IPVS scheduler; null unless proxyMode is ipvs. */
    ipvsScheduler: IpvsScheduler | null
    ipvsFlags: IpvsFlag[]
    /** IPVS timeouts in force (kube-proxy's, else the kernel's), ms; the kernel's outside ipvs mode. */
    ipvsTimeouts: IpvsTimeouts
    /** The algorithm that runs (registry name). */
    algorithm: AlgorithmName
    /** The friendly alias this configuration was given by, if any. */
    balancer: BalancerName | null
    balancing: 'connection' | 'request'
    sessionAffinity: 'None' | 'ClientIP'
    sessionAffinityTimeoutSeconds: number
    externalTrafficPolicy: 'Cluster' | 'Local'
    internalTrafficPolicy: 'Cluster' | 'Local'
    /** kube-proxy's masqueradeAll (KubeProxyConfiguration): SNAT every ClusterIP connection to the node's address. */
    masqueradeAll: boolean
  }
  load: {
    /** `external`: clients outside the cluster (NodePorts, the front load balancer); `cluster`: client pods at the ClusterIP. */
    from: LoadOrigin
    /** from cluster: the nodes client pods are placed on, client k on clientNodes[k mod length]; [] for external. */
    clientNodes: string[]
    /** from cluster: client pods of their own (`separate`), or the Service's own pods (`endpoints`). */
    clientPods: ClientPodKind
    durationMs: number
    warmupMs: number
    connections: number
    clientIps: number
    keepAlive: boolean
    /** Reconnect once a keep-alive connection is this old, ms; 0 = never. */
    connectionLifetimeMs: number
    path: string
    /** from external: names of the nodes clients connect to, in order: connection i goes to via[i mod length]. */
    via: string[]
    requestTimeoutMs: number
    /** `closed`: `connections` clients with one request in flight each; `open`: load.rate or load.stages. */
    model: LoadModel
    /** Open model: the rate when the measured phase starts, req/s (load.rate; 0 with stages); 0 under the closed model. */
    startRps: number
    /** Open model: the stages, each ramping from the previous target (the first from startRps); the last target holds to the end. Empty for a constant rate. */
    stages: ResolvedRateStage[]
    /** Open model: how arrivals are spaced. */
    arrival: ArrivalProcess
    /** Open model with keep-alive: most connections the pool opens. */
    maxConnections: number
    /** UDP Services: one source port per client address for all its queries, or a new one per query. */
    udpSourcePort: UdpSourcePort
    /** UDP Services: bytes of each query datagram (an 8-byte id, then padding). */
    udpQueryBytes: number
  }
  /** Where service.loadBalancer.preset came from: `scenario`, `default`, or `file: <what in the manifests named it>`; null without a load balancer. */
  lbPresetSource: string | null
  /** Faults on the measured phase's timeline, in time order. */
  faults: ResolvedFault[]
  /** Absolute thresholds checked after the run (gate/thresholds.ts). */
  thresholds: Threshold[]
}

/** A scenario ready to run: every variant resolved. */
export interface ResolvedRun {
  name: string
  description: string
  seed: number
  /** Path of the scenario file, when loaded from one. */
  file: string | undefined
  variants: ResolvedVariant[]
  /** Things worth saying that are not errors (e.g. ip-hash with one client address). */
  warnings: string[]
  /** What svcbench chose where the input left a choice (which Service and port of the manifests ran). */
  notes: string[]
  /** The Kubernetes manifests file the cluster and service came from, if any. */
  manifests: string | undefined
}

/** Overrides from the command line; each wins over scenario and variant values. */
export interface CliOverrides {
  durationMs?: number
  warmupMs?: number
  connections?: number
  clientIps?: number
  /** Open model at this constant rate, req/s (replaces load.rate and load.stages). */
  rateRps?: number
  seed?: number
  /** Run only this variant. */
  variant?: string
}

