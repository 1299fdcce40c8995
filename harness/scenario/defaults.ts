/** Every scenario default in one place (autocannon defaultOptions.js style). */

/** Seed for balancers and latency draws. */
export const DEFAULT_SEED = 1
/** Nodes when `cluster.nodes` is omitted. */
export const DEFAULT_NODES = 3
/** Pods when `cluster.replicas` is omitted. */
export const DEFAULT_REPLICAS = 6
/** Pod service time in ms. */
export const DEFAULT_POD_LATENCY_MS = 1
/** Pod response body size in bytes. */
export const DEFAULT_RESPONSE_BYTES = 128
/** Fraction of requests a pod answers with 500. */
export const DEFAULT_ERROR_RATE = 0
/** Port every pod listens on, on its own address (the containerPort). */
export const DEFAULT_POD_PORT = 8080
/** NodePort opened on every node address. */
export const DEFAULT_NODE_PORT = 30080
/** svcbench's node proxies carry the traffic (portable: no root, no namespaces). */
export const DEFAULT_DATAPLANE = 'proxy'
/** kube-proxy mode, as in Kubernetes. */
export const DEFAULT_PROXY_MODE = 'iptables'
/** sessionAffinityConfig.clientIP.timeoutSeconds (3 hours, as in Kubernetes). */
export const DEFAULT_SESSION_AFFINITY_TIMEOUT_SECONDS = 10_800
/** Extra delay on the hop to a pod on another node, ms (the hop itself is a real relay). */
export const DEFAULT_HOP_LATENCY_MS = 0
/** One decision per connection (L4), as kube-proxy. */
export const DEFAULT_BALANCING = 'connection'
/** Measured phase in ms. */
export const DEFAULT_DURATION_MS = 10_000
/** Warm-up phase in ms. */
export const DEFAULT_WARMUP_MS = 2_000
/** Concurrent connections. */
export const DEFAULT_CONNECTIONS = 50
/** Distinct client source addresses. */
export const DEFAULT_CLIENT_IPS = 64
/** HTTP keep-alive. */
export const DEFAULT_KEEP_ALIVE = true
/** Request path. */
export const DEFAULT_PATH = '/'
/** Where clients connect. */
export const DEFAULT_VIA = 'all-nodes'
/** Per-request timeout in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/** Open model: how arrivals are spaced. */
export const DEFAULT_ARRIVAL = 'constant'
/** Open model with keep-alive: most connections the pool opens. */
export const DEFAULT_MAX_CONNECTIONS = 1000
/** Lognormal latency p99 as a multiple of the mean when p99Ms is not given. */
export const DEFAULT_LOGNORMAL_P99_OVER_MEAN = 3
/** Name of the only variant of a scenario that declares none. */
export const DEFAULT_VARIANT_NAME = 'default'
/** Longest a run may last (warm-up + measured), so every run stops by itself. */
export const MAX_RUN_MS = 60 * 60_000
/** Readiness probe defaults (core/v1 Probe), path /healthz (the built-in pod's). */
export const DEFAULT_READINESS_PROBE = {
  path: '/healthz',
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 1,
  initialDelaySeconds: 0,
}
/** terminationGracePeriodSeconds, as in Kubernetes. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
/** Delay from a readiness flip to the node proxies applying it, ms. */
export const DEFAULT_ENDPOINT_PROPAGATION_MS = 500
/** LoadBalancer external port. */
export const DEFAULT_LB_PORT = 80
/** kube-proxy's health check port for Local (allocated from the NodePort range in Kubernetes). */
export const DEFAULT_HEALTH_CHECK_NODE_PORT = 32000
/** Front load balancer preset. */
export const DEFAULT_LB_PRESET = 'aws-nlb'
/** kube-controller-manager --node-monitor-grace-period, seconds. */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_SECONDS = 40

/** Time a command pod (cluster.pod.command) has to answer its readiness path. */
export const DEFAULT_COMMAND_STARTUP_TIMEOUT_MS = 10_000

/** service.protocol. */
export const DEFAULT_PROTOCOL = 'TCP'
/** service.udpConntrackCleanup: what kube-proxy does today (its reconciler, 1.32+). */
export const DEFAULT_UDP_CONNTRACK_CLEANUP = 'kube-proxy'
/** load.udpSourcePort: a new socket per query, as glibc's stub resolver opens one per lookup. */
export const DEFAULT_UDP_SOURCE_PORT = 'per-query'
/** load.udpQueryBytes: about a DNS query's size. */
export const DEFAULT_UDP_QUERY_BYTES = 64
/** cluster.conntrack.udpTimeout: the kernel's `udp_timeouts[UDP_CT_UNREPLIED]` (nf_conntrack_proto_udp.c), ms. */
export const DEFAULT_UDP_TIMEOUT_MS = 30_000
/** cluster.conntrack.udpStreamTimeout: the kernel's `udp_timeouts[UDP_CT_REPLIED]` (nf_conntrack_proto_udp.c), ms. */
export const DEFAULT_UDP_STREAM_TIMEOUT_MS = 120_000
