/**
 * The scenario schema: the single source of truth for what a scenario file may say.
 * `UserScenario` (what people write) is inferred from it; `resolve.ts` turns a parsed
 * scenario into a `ResolvedScenario` with every default filled and every duration in ms.
 *
 * Objects are strict: an unknown field is an error, so a typo is never silently ignored.
 */
import { z } from 'zod'
import { BALANCER_NAMES, PROXY_MODES, IPVS_SCHEDULERS, IPVS_FLAGS } from '../model/kube-proxy.ts'
import { LB_PRESET_NAMES, LB_ALGORITHMS } from '../model/load-balancer.ts'
import { CLIENT_POD_KINDS, DATAPLANES, FAULT_ACTIONS, LOAD_ORIGINS, PROBE_TYPES, SERVICE_PROTOCOLS, SERVICE_TYPES, UDP_CONNTRACK_CLEANUPS } from '../model/scenario.ts'

/** `[a-z0-9-]+`: scenario, variant and node names (they become folder and address labels). */
export const NAME_RE = /^[a-z0-9][a-z0-9-]*$/

const DURATION_RE = /^\d+(?:\.\d+)?(?:ms|s|m)$/

/** Strict object whose unknown-key message lists the known keys. */
function obj<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape)
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `unknown field; expected one of ${known.join(', ')}` : undefined,
  })
}

/** A duration: number of ms, or a string with unit ms, s or m. */
const DURATION_EXPECTED = 'expected a duration such as "10s", "500ms", "2m" or a number of milliseconds'
export const durationSchema = z.union(
  [
    z.number().nonnegative({ error: DURATION_EXPECTED }).finite({ error: DURATION_EXPECTED }),
    z.string().regex(DURATION_RE, { error: DURATION_EXPECTED }),
  ],
  { error: DURATION_EXPECTED },
)

const nameSchema = z.string().regex(NAME_RE, { error: 'expected lowercase letters, digits and dashes ([a-z0-9-]+)' })

function int(min: number, max: number) {
  return z
    .number({ error: `expected an integer from ${min} to ${max}` })
    .int({ error: `expected an integer from ${min} to ${max}` })
    .min(min, { error: `expected an integer from ${min} to ${max}` })
    .max(max, { error: `expected an integer from ${min} to ${max}` })
}

function num(min: number, max: number) {
  return z
    .number({ error: `expected a number from ${min} to ${max}` })
    .min(min, { error: `expected a number from ${min} to ${max}` })
    .max(max, { error: `expected a number from ${min} to ${max}` })
}

/** Most nodes a scenario may declare. */
export const MAX_NODES = 50
/** Most pods a scenario may declare. */
export const MAX_PODS = 1000
/** Highest open-model rate a scenario may ask for, requests per second. */
export const MAX_RATE_RPS = 1_000_000
/** Most distinct client source addresses (each gets its own 127.x address). */
export const MAX_CLIENT_IPS = 32_000

export const LATENCY_DISTS = ['constant', 'exponential', 'lognormal'] as const

const latencySchema = z.union(
  [
    num(0, 60_000),
    obj({
      dist: z.enum(LATENCY_DISTS),
      meanMs: num(0, 60_000),
      p99Ms: num(0, 600_000).optional(),
    }),
  ],
  { error: 'expected a number of ms or { dist: "constant" | "exponential" | "lognormal", meanMs, p99Ms? }' },
)

/** Per-pod settings in explicit placement; each overrides `cluster.pod` for that pod. */
const podSpecSchema = obj({
  /** IPVS weight (wrr, wlc, sed, nq, sh, mh use it; 0 = quiesced: no new connections). @default 1 */
  weight: int(0, 65535).optional(),
  latencyMs: latencySchema.optional(),
  responseBytes: int(0, 1_048_576).optional(),
  errorRate: num(0, 1).optional(),
})

const nodeSchema = obj({
  name: nameSchema,
  /** Pod count, or one settings object per pod. */
  pods: z.union([int(0, MAX_PODS), z.array(podSpecSchema).max(MAX_PODS)], {
    error: `expected a pod count (0 to ${MAX_PODS}) or a list of pod settings ({ weight?, latencyMs?, responseBytes?, errorRate? })`,
  }),
})

/** A probe as core/v1 Probe has it, with its handler reduced to what svcbench can run. */
const probeSchema = obj({
  /**
   * The handler as written: `httpGet` (GET of `path`), `tcpSocket` (a TCP connect); `exec` and
   * `grpc` cannot run here and are probed over HTTP GET of `path` with the same timings. @default 'httpGet'
   */
  type: z.enum(PROBE_TYPES).optional(),
  path: z.string().startsWith('/', { error: 'expected a path starting with "/"' }).optional(),
  /** Port probed, when not the pod's; built-in pods answer probes there too. @default the pod port */
  port: int(1, 65535).optional(),
  periodSeconds: int(1, 3600).optional(),
  timeoutSeconds: int(1, 3600).optional(),
  failureThreshold: int(1, 1000).optional(),
  successThreshold: int(1, 1000).optional(),
  initialDelaySeconds: int(0, 3600).optional(),
})

const clusterSchema = obj({
  /** Node count, or explicit placement `[{ name, pods }]`. @default 3 */
  nodes: z
    .union([int(1, MAX_NODES), z.array(nodeSchema).min(1).max(MAX_NODES)], {
      error: `expected a node count (1 to ${MAX_NODES}) or a list of { name, pods }`,
    })
    .optional(),
  /** Pod count, spread round-robin over nodes unless placement is explicit. @default 6 */
  replicas: int(1, MAX_PODS).optional(),
  /** The nodes' UDP conntrack timeouts (sysctls nf_conntrack_udp_timeout, nf_conntrack_udp_timeout_stream); whole seconds on the kernel dataplane. */
  conntrack: obj({
    /** Entries without a reply, or under 2 s old. @default '30s' (the kernel's) */
    udpTimeout: durationSchema.optional(),
    /** Entries that have seen a reply and are used after 2 s (streams). @default '120s' (the kernel's) */
    udpStreamTimeout: durationSchema.optional(),
  }).optional(),
  network: obj({
    /**
     * Extra delay on the hop to a pod on another node, ms: 0, or at least 1 (Node timers cannot
     * realise less). The hop itself is always real: a relay through the pod's node. @default 0
     */
    hopLatencyMs: num(0, 10_000).optional(),
  }).optional(),
  /**
   * `per-pod`: every built-in pod is its own process (kill-pod is a real process crash).
   * `per-node`: one process per node runs that node's pods (kill-pod closes the pod's listener and
   * resets its connections, which is how a crash looks on the network); for large clusters.
   * @default 'auto': per-pod up to 64 pods, per-node above
   */
  podProcesses: z.enum(['auto', 'per-pod', 'per-node']).optional(),
  /** How long the node controller waits before marking a dead node's pods not ready (--node-monitor-grace-period). @default 40 */
  nodeMonitorGracePeriodSeconds: num(0, 3600).optional(),
  /** Delay between an endpoint change (readiness flip) and every node's proxy applying it, ms. @default 500 */
  endpointPropagationMs: num(0, 60_000).optional(),
  /**
   * Kubernetes manifests (a YAML or JSON file, or a folder of them) giving cluster and service;
   * relative to the scenario file. `{ file, service, port }` picks the Service and its port.
   */
  manifests: z
    .union([
      z.string().min(1),
      obj({
        file: z.string().min(1),
        /** The Service to run (its metadata.name). @default the only one, else the only NodePort/LoadBalancer one */
        service: z.string().min(1).optional(),
        /** The Service port: its name or number. @default the first */
        port: z.union([z.string().min(1), int(1, 65535)]).optional(),
      }),
    ], { error: 'expected a file path, or { file, service?, port? }' })
    .optional(),
  pod: obj({
    /** Service time added by each pod: ms, or a distribution. @default 1 */
    latencyMs: latencySchema.optional(),
    /** Response body size in bytes. @default 128 */
    responseBytes: int(0, 1_048_576).optional(),
    /** Fraction of requests answered with HTTP 500, 0 to 1. @default 0 */
    errorRate: num(0, 1).optional(),
    /** Port each pod listens on (the Service's targetPort). @default 8080 */
    port: int(1, 65535).optional(),
    /** Readiness probe (Kubernetes defaults), run by the endpoints controller. */
    readinessProbe: probeSchema.optional(),
    /** Startup probe: after a container (re)start, readiness is probed only once it has passed. @default none */
    startupProbe: probeSchema.optional(),
    /**
     * Your own server as the pods: a command line (split on spaces; quote with "..." or '...'),
     * started once per replica with HOST and PORT (its pod address and port) in its environment.
     * Replaces the built-in pod: latencyMs, responseBytes and errorRate do not apply.
     */
    command: z.string().trim().min(1, { error: 'expected a command line such as "node dist/server.js"' }).optional(),
    /** Arguments appended to the command. @default [] */
    args: z.array(z.string()).optional(),
    /** Extra environment variables for the command (HOST and PORT are set by svcbench). @default {} */
    env: z.record(z.string(), z.string()).optional(),
    /** Working directory of the command, relative to the scenario file. @default the scenario file's folder */
    cwd: z.string().min(1).optional(),
    /** Path svcbench GETs until it answers 2xx/3xx before traffic starts; also the readiness probe's path unless readinessProbe.path is set. @default '/healthz' */
    readinessPath: z.string().startsWith('/', { error: 'expected a path starting with "/"' }).optional(),
    /** How long a command pod may take to become ready. @default '10s' */
    startupTimeout: durationSchema.optional(),
    /** Pod deletion: SIGKILL this long after the deletion if the pod has not exited. @default 30 */
    terminationGracePeriodSeconds: int(0, 3600).optional(),
    /** A preStop hook that sleeps this long before SIGTERM (closes the race with endpoint removal). @default 0 */
    preStopSleepSeconds: num(0, 3600).optional(),
  }).optional(),
})

const serviceSchema = obj({
  /** What carries the traffic: `proxy` (svcbench's node proxies on loopback addresses) or `kernel` (kube-proxy's nftables/iptables rules in network namespaces the run creates; Linux, root). @default 'proxy' */
  dataplane: z.enum(DATAPLANES).optional(),
  /** The Service port's protocol: `TCP` (HTTP) or `UDP` (one datagram query, one answer; the open model). @default 'TCP' */
  protocol: z.enum(SERVICE_PROTOCOLS).optional(),
  /** UDP: the conntrack cleanup on an endpoint's removal: `kube-proxy` (its reconciler, 1.32+), `kube-proxy-1.31` (before it), `none`. @default 'kube-proxy' */
  udpConntrackCleanup: z.enum(UDP_CONNTRACK_CLEANUPS).optional(),
  /**
   * `ClusterIP`: a virtual IP inside the cluster only (clients are pods, `load.from: 'cluster'`).
   * `NodePort`: clients hit node addresses. `LoadBalancer`: a front load balancer with one external address. @default 'NodePort'
   */
  type: z.enum(SERVICE_TYPES).optional(),
  /** The Service's port: the ClusterIP's port, and a LoadBalancer's external port (not for NodePort with external clients). @default 80 */
  port: int(1, 65535).optional(),
  /** kube-proxy's health check port for externalTrafficPolicy Local (LoadBalancer only). @default 32000 */
  healthCheckNodePort: int(30000, 32767).optional(),
  /** The cloud load balancer in front of the NodePorts (LoadBalancer only); a preset, then overrides. */
  loadBalancer: obj({
    /** aws-nlb, aws-clb, gcp-l4, azure-lb or metallb-l2, with the defaults in K8S.md (azure-lb: lb-presets.ts). @default the one the manifests imply, else 'aws-nlb' */
    preset: z.enum(LB_PRESET_NAMES).optional(),
    /** flow-hash (one node per connection), round-robin (per connection), least-outstanding (per request, L7). */
    algorithm: z.enum(LB_ALGORITHMS).optional(),
    healthCheck: obj({
      intervalSeconds: num(0.1, 300).optional(),
      timeoutSeconds: num(0.1, 120).optional(),
      healthyThreshold: int(1, 10).optional(),
      unhealthyThreshold: int(1, 10).optional(),
    }).optional(),
    /** Every node unhealthy: send to all (`fail-open`, NLB) or reset (`refuse`). */
    allUnhealthy: z.enum(['fail-open', 'refuse']).optional(),
    /** Whether nodes see the client's address (NLB, GCP, MetalLB) or the LB's own (Classic ELB). */
    preserveClientIp: z.boolean().optional(),
    /** metallb-l2: seconds before the address moves off a failed leader node. */
    leaderFailoverSeconds: num(0.1, 300).optional(),
    /** Terminate TLS at the load balancer (self-signed certificate made at run time; clients use HTTPS). @default false */
    tls: z.boolean().optional(),
  }).optional(),
  /** Port opened on every node address. @default 30080 */
  nodePort: int(30000, 32767).optional(),
  /** Friendly name for a kube-proxy configuration: round-robin = ipvs/rr, ip-hash = ipvs/sh, random = iptables, least-conn = ipvs/lc. */
  balancer: z.enum(BALANCER_NAMES).optional(),
  /** kube-proxy mode (KubeProxyConfiguration `mode`). @default 'iptables' */
  proxyMode: z.enum(PROXY_MODES).optional(),
  /** IPVS scheduler (KubeProxyConfiguration `ipvs.scheduler`); implies proxyMode ipvs. @default 'rr' */
  ipvsScheduler: z.enum(IPVS_SCHEDULERS).optional(),
  /** IPVS scheduler flags: sh-port, sh-fallback (with sh), mh-port, mh-fallback (with mh). @default [] */
  ipvsFlags: z.array(z.enum(IPVS_FLAGS)).optional(),
  /**
   * kube-proxy's IPVS timeouts (KubeProxyConfiguration `ipvs.tcpTimeout`, `ipvs.tcpFinTimeout`,
   * `ipvs.udpTimeout`); 0 keeps the kernel's (900 s, 120 s, 300 s). proxyMode ipvs only.
   */
  ipvs: obj({
    /** ESTABLISHED entries (recorded: svcbench does not expire idle connections). @default 0 */
    tcpTimeout: durationSchema.optional(),
    /** FIN_WAIT entries: how long after the pod's FIN an entry waits for the client's. @default 0 */
    tcpFinTimeout: durationSchema.optional(),
    /** UDP entries: a flow's IPVS entry lives this long after its last packet. @default 0 */
    udpTimeout: durationSchema.optional(),
  }).optional(),
  /** `None` or `ClientIP`. @default 'None' */
  sessionAffinity: z.enum(['None', 'ClientIP']).optional(),
  /** sessionAffinityConfig.clientIP.timeoutSeconds (only with ClientIP). @default 10800 */
  sessionAffinityTimeoutSeconds: int(1, 86400).optional(),
  /** `Cluster`: any endpoint, SNAT to the node. `Local`: endpoints on the receiving node only, client address kept. @default 'Cluster' */
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
  /** For in-cluster traffic (`load.from: 'cluster'`): `Local` keeps a client pod's connections on its own node's pods, and drops them where that node has none. @default 'Cluster' */
  internalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
  /** kube-proxy's masqueradeAll (KubeProxyConfiguration): SNAT every ClusterIP connection to the node's address, so pods see nodes, not client pods. @default false */
  masqueradeAll: z.boolean().optional(),
  /** `connection`: one pick per TCP connection (L4, kube-proxy). `request`: one pick per HTTP request (L7). @default 'connection' */
  balancing: z.enum(['connection', 'request']).optional(),
})

const loadSchema = obj({
  /** Measured phase length. @default '10s' */
  duration: durationSchema.optional(),
  /** Unmeasured phase before it, on the same connections: the load runs on into the measured phase, which does not start cold. @default '2s' */
  warmup: durationSchema.optional(),
  /** Concurrent client connections (closed model: each has one request in flight). @default 50 */
  connections: int(1, 10_000).optional(),
  /** Distinct client source addresses; connection i uses address i mod clientIps. @default 64 */
  clientIps: int(1, MAX_CLIENT_IPS).optional(),
  /** Reuse connections (HTTP keep-alive). false opens a new connection per request. @default true */
  keepAlive: z.boolean().optional(),
  /** With keep-alive, reconnect once a connection is this old (a client's max connection age). @default none */
  connectionLifetime: durationSchema.optional(),
  /** Request path. @default '/' */
  path: z.string().startsWith('/', { error: 'expected a path starting with "/"' }).optional(),
  /**
   * `external`: clients outside the cluster, at the NodePorts (or the front load balancer).
   * `cluster`: every client address is a client pod on a node, connecting to the Service's ClusterIP
   * through its own node's kube-proxy. @default 'cluster' for a ClusterIP Service, else 'external'
   */
  from: z.enum(LOAD_ORIGINS).optional(),
  /** from cluster: the nodes client pods run on; client k is placed on clientNodes[k mod length]. @default every node, round robin */
  clientNodes: z.array(nameSchema).min(1).optional(),
  /** from cluster: `separate` client pods of their own, or `endpoints`: the Service's own pods are the clients (some connections come back to their sender: hairpin). @default 'separate' */
  clientPods: z.enum(CLIENT_POD_KINDS).optional(),
  /** from external: `all-nodes`: connection i goes to node i mod nodes; `one-node`: all to the first node; or a list of node names. @default 'all-nodes' */
  via: z
    .union([z.enum(['all-nodes', 'one-node']), z.array(nameSchema).min(1)], {
      error: 'expected "all-nodes", "one-node" or a list of node names',
    })
    .optional(),
  /** A request with no response after this long counts as a timeout error. @default '10s' */
  requestTimeout: durationSchema.optional(),
  /** Requests per second on an arrival schedule: the open model (docs/load-models.md); exclusive with stages. @default none: the closed model */
  rate: num(0.001, MAX_RATE_RPS).optional(),
  /** Open model: `constant` (evenly spaced) or `poisson` (exponential gaps, seeded). @default 'constant' */
  arrival: z.enum(['constant', 'poisson']).optional(),
  /** Open model: each stage ramps the rate linearly from the previous target (the first from 0) to its own over its duration (k6's ramping-arrival-rate); exclusive with rate. */
  stages: z.array(obj({ duration: durationSchema, target: num(0, MAX_RATE_RPS) })).min(1).max(100).optional(),
  /** Open model with keep-alive: most connections the pool opens. @default 1000 */
  maxConnections: int(1, 10_000).optional(),
  /** UDP: `fixed`, one source port per client address for all its queries (a resolver's socket); `per-query`, a new socket per query. @default 'per-query' */
  udpSourcePort: z.enum(['fixed', 'per-query']).optional(),
  /** UDP: bytes of each query datagram (an 8-byte id, then padding). @default 64 */
  udpQueryBytes: int(8, 65_507).optional(),
})


const faultSchema = obj({
  /** When, from the start of the measured phase. */
  at: durationSchema,
  /** What happens to the target pod(s). */
  action: z.enum(FAULT_ACTIONS),
  /** A pod name, `random` (seeded), or `{ node }` for every pod on a node; kill-node: a node name or `{ node }`. */
  target: z.union([z.string().min(1), obj({ node: nameSchema })], { error: 'expected a pod name, "random", or { node: "<node name>" }' }),
  /** slow-pod: latency added to every request (and to the readiness probe), ms. */
  latencyMs: num(0, 600_000).optional(),
  /** fail-pod: fraction of requests answered with 500 (the readiness probe still passes). @default 1 */
  errorRate: num(0, 1).optional(),
  /** scale: the new replica count. */
  replicas: int(0, MAX_PODS).optional(),
  /** rolling-update: new pods started ahead of deletions. @default 1 */
  maxSurge: int(0, 50).optional(),
  /** rolling-update: old pods deleted before their replacements are ready. @default 0 */
  maxUnavailable: int(0, 50).optional(),
})

const conditionsSchema = z.union([z.string(), z.array(z.string()).min(1)], { error: 'expected a condition such as "< 25ms" or a list of them' })

/** A threshold: a condition, a list of conditions, or { limit, abortOnFail?, delayAbortEval? } (grammar in gate/thresholds.ts). */
const thresholdSchema = z.union(
  [
    conditionsSchema,
    obj({
      limit: conditionsSchema,
      /** Stop the run as soon as the condition fails (errors.rate, errors.total only). @default false */
      abortOnFail: z.boolean().optional(),
      /** Measured time before abortOnFail may stop the run. @default '1s' */
      delayAbortEval: durationSchema.optional(),
    }),
  ],
  { error: 'expected a condition such as "< 25ms", a list of conditions, or { limit, abortOnFail?, delayAbortEval? }' },
)

export const scenarioBodyShape = {
  cluster: clusterSchema.optional(),
  service: serviceSchema.optional(),
  load: loadSchema.optional(),
  /** Faults on the timeline of the measured phase. */
  faults: z.array(faultSchema).max(100).optional(),
  /** Absolute limits on a variant's results, e.g. { 'latency.p99': '< 25ms', 'errors.rate': '< 0.1%' }; any failure → exit 1. */
  thresholds: z.record(z.string(), thresholdSchema).optional(),
}

/** The fields a variant may override (all of the body, deep-partial). */
export const variantBodySchema = obj(scenarioBodyShape)

/** The schema of a scenario file's default export. */
export const scenarioSchema = obj({
  /** Scenario name, `[a-z0-9-]+`; names the report folder. Required. */
  name: nameSchema,
  /** One line saying what the scenario shows. */
  description: z.string().optional(),
  /** Seed for every random choice (balancers, latency draws). @default 1 */
  seed: int(0, 2 ** 31 - 1).optional(),
  ...scenarioBodyShape,
  /** Named deep-partial overrides; each runs on a fresh cluster. @default one variant named 'default' */
  variants: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
})

type Body = z.input<typeof variantBodySchema>

/** Recursively optional, for variant overrides. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T

/** What a scenario file's default export looks like (what people write). */
export type UserScenario = Omit<z.input<typeof scenarioSchema>, 'variants'> & {
  variants?: Record<string, DeepPartial<Body>>
}
