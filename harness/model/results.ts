/**
 * The results schema: what results.json holds (RunResult), and every part of it but the gate's
 * verdict (gate-result.ts) and the stats summaries (summaries.ts). Written by the runner and the
 * summarizers, read by reports, gates and people. Types and constants only.
 */
import type { ResolvedFault, ResolvedVariant } from './scenario.ts'
import type { GateResult, PairedSchedule } from './gate-result.ts'
import type { CpuSummary, FairnessSummary, IpvsRealServerResult, LatencySummary, LoadSummary, StickinessSummary } from './summaries.ts'
import type { Machine, Versions } from './run-info.ts'
import type { ClientsResult, FailoverResult, LoadBalancerResult, NodeResult, PodResult, TimelineEvent, TimelinePoint } from './variant-parts.ts'
import type { ErrorKind } from './variant-parts.ts'
import type { UdpResult } from './udp-results.ts'

/** Everything measured for one variant. */
export interface VariantResult {
  /** The variant's name (`default` when the scenario declares none). */
  name: string
  /** The algorithm that ran (registry name, e.g. `ip-hash`). */
  balancer: string
  /** The friendly alias the scenario used, if any. */
  alias: string | null
  /**
   * What carried the traffic: `proxy` (svcbench's node proxy processes simulating kube-proxy, on
   * loopback addresses) or `kernel` (kube-proxy's own nftables/iptables rules in network
   * namespaces the run created). Absent in results written before there were two.
   */
  dataplane?: 'proxy' | 'kernel'
  /** The kube-proxy mode that ran: `iptables`, `nftables`, `ipvs` or `userspace`. */
  proxyMode: string
  /** The IPVS scheduler (`rr`, `wrr`, `lc`, `wlc`, `sh`, `dh`, `sed`, `nq`, `mh`); null unless proxyMode is ipvs. */
  ipvsScheduler: string | null
  /** IPVS scheduler flags (ipvsadm -b: `sh-port`, `sh-fallback`, `mh-port`, `mh-fallback`); empty when none. */
  ipvsFlags: string[]
  /** The Service's sessionAffinity: `None`, or `ClientIP` (each node keeps a client address on its pod: iptables `recent` semantics in the iptables, nftables and userspace modes, IPVS persistence templates in ipvs mode). */
  sessionAffinity: 'None' | 'ClientIP'
  /** `Cluster` (each node balances over every pod and SNATs to its own address) or `Local` (each node over its own pods only, the client's address kept). */
  externalTrafficPolicy: 'Cluster' | 'Local'
  /** The Service's type: `ClusterIP`, `NodePort` or `LoadBalancer`. Absent from older results. */
  serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer'
  /** The policy of in-cluster (ClusterIP) traffic: `Cluster`, or `Local` (a client pod's node's own pods only; dropped where it has none). Absent from older results. */
  internalTrafficPolicy?: 'Cluster' | 'Local'
  /** Where the node proxies decide: `connection` (once per new connection, as kube-proxy does) or `request` (an L7 proxy, per request). */
  balancing: 'connection' | 'request'
  /** Length of the measured phase, seconds. */
  durationSec: number
  /**
   * Who counted the per-pod requests: `pods` (svcbench's built-in pod, which also sees source
   * addresses and its own 5xx) or `proxies` (command pods: the node proxies counted what they sent;
   * source addresses and per-pod 5xx are then unknown and reported as 0).
   */
  countedBy: 'pods' | 'proxies'
  /**
   * True when this variant's load stopped before its duration: SIGINT/SIGTERM, or an abortOnFail
   * threshold (then the run's `aborted` says which); the figures cover what was measured.
   */
  interrupted: boolean
  /** How the load was driven: the model, its schedule and whether the generator kept to it. Absent in older results. */
  load?: LoadSummary
  /** The measured phase's requests as the load generator counted them, with the pod-side count beside them. */
  requests: {
    /** Responses of any status plus transport errors. */
    total: number
    /** Responses with status < 400. */
    ok: number
    /** Responses (any status) per second, as autocannon and wrk report. */
    rps: number
    /** ok per second. */
    okRps: number
    /** Requests the pods counted (can exceed responses by those in flight at the end). */
    podSide: number
    /** Open model: requests whose intended start fell in the measured phase; closed: as total. */
    scheduled?: number
    /** Requests written (scheduled − dropped). */
    sent?: number
    /** Open model: requests dropped (no pooled connection free within load.requestTimeout); 0 under the closed model. */
    dropped?: number
  }
  /** Client-side errors of the measured phase: transport errors and responses with status ≥ 400. */
  errors: {
    /** Errors of every kind, counted by the load generator. */
    total: number
    /** errors.total / requests.total. */
    rate: number
    /** errors.total by kind (see ErrorKind). */
    byKind: Record<ErrorKind, number>
    /** errors.total by code: `HTTP_<status>` for responses ≥ 400, `TIMEOUT` for every timeout, else the socket error's code (`ECONNRESET`, …) or `UNKNOWN`. */
    byCode: Record<string, number>
  }
  /**
   * Client-side latency of every request of the measured phase, ms with µs resolution, from an
   * HDR histogram (3 significant digits): from each request's intended start under the open
   * model, from its write (connect time included) under the closed one. Responses of any status
   * and transport errors count at their time; drops at load.requestTimeout, timeouts at the
   * timeout after the write (so at load.requestTimeout, plus the open model's lag): censored, the
   * real latency is longer, and a percentile there reads "≥ 2000" in the table; all 0 when
   * nothing was recorded.
   */
  latencyMs: LatencySummary & {
    /** The HDR percentile curve: latency at 0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100 %. */
    curve: {
      /** The percentile, 0–100 (0: the smallest latency recorded, 100: the largest). */
      percentile: number
      /** Latency at that percentile, ms. */
      ms: number
    }[]
  }
  /** Latency of the responses only (any status), from the write to the response, as latencyMs before the open model (k6's http_req_duration). Absent in older results. */
  serviceLatencyMs?: LatencySummary
  pods: PodResult[]
  nodes: NodeResult[]
  fairness: FairnessSummary
  /** How many pods each client address reached, counted from the node proxies' balancing decisions per client address (not by the pods). */
  stickiness: StickinessSummary & {
    /** Decisions per (client address, pod), for the first MAX_MATRIX_CLIENTS client addresses in address order. */
    matrix: {
      /** A client address as the node proxies saw it (the TCP source at the node). */
      client: string
      /** The pod those decisions went to. */
      pod: string
      /** That client address's decisions that went to that pod, all nodes together (connections in L4 mode, requests in L7 mode). */
      decisions: number
    }[]
  }
  /** Client addresses at each step: configured, bound by the load generator, seen by the node proxies and by the pods. */
  clientAddresses: {
    /** load.clientIps. */
    configured: number
    /** Distinct source addresses client connections were bound to. */
    used: number
    /** Distinct client addresses the pods saw, as TCP source or in X-Forwarded-For (0 when all were SNATed). */
    seenByPods: number
    /** Distinct client addresses the node proxies balanced. */
    seenByProxies: number
    /** Distinct TCP source addresses the pods saw (node addresses in request mode). */
    tcpSourcesSeenByPods: number
  }
  /** Where the load came from (outside the cluster, or client pods on which nodes) and how much stayed on its node. Absent from older results. */
  clients?: ClientsResult
  /** Source addresses as the pods saw them: client addresses kept (Local) or SNATed to nodes (Cluster). */
  sourceAddresses: {
    /** Distinct client addresses seen as TCP source by the pods. */
    clientAddressesSeen: number
    /** Distinct node addresses seen as TCP source by the pods. */
    nodeAddressesSeen: number
  }
  timeline: TimelinePoint[]
  /** Fault, readiness and endpoint-update events on the measured phase's timeline. */
  events: TimelineEvent[]
  /** The cost of every fault. */
  failover: FailoverResult[]
  /** The front load balancer (LoadBalancer Services), or null. */
  loadBalancer: LoadBalancerResult | null
  /** A UDP Service: its flows, per pod and per client; null for TCP. @default null */
  udp?: UdpResult | null
  /** CPU use of the run's processes over the measured phase (null when not sampled). */
  cpu: CpuSummary | null
  /** The calibration path of this trial (autocannon straight to a reference pod), when measured. */
  calibration: {
    /** Responses (any status) per second on the calibration path, rounded to 0.1. */
    rps: number
    /** Latency p50 on the calibration path, ms. */
    p50: number
    /** Latency p99 on the calibration path, ms. */
    p99: number
  } | null
  /** requests.rps, latency p50 and p99 as ratios to the calibration path; null without one. */
  normalized: {
    /** requests.rps / calibration.rps, a ratio. */
    rps: number
    /** latencyMs.p50 / calibration.p50, a ratio. */
    p50: number
    /** latencyMs.p99 / calibration.p99, a ratio. */
    p99: number
  } | null
  /**
   * Every trial's gate metrics when the variant ran as trials (--trials, baselines); else empty.
   * `disturbed`: another program used more than 20% of a core meanwhile; such a trial was run
   * again and is left out of the statistics.
   */
  trials: {
    /** The trial's number, from 1, in the order this variant's trials ran (re-runs of disturbed trials included). */
    trial: number
    /** The trial's gate metrics by threshold path (docs/gates.md), null where its results held null. */
    metrics: Record<string, number | null>
    /** Other programs used more than 20% of a core (cpu.otherPct) during its measured phase; left out of the statistics while at least 4 clean trials remain. */
    disturbed: boolean
    /** --pair: the pair this trial belongs to (RunResult.paired.pairs); the other variant's trial with the same number is its partner. Absent otherwise. */
    pair?: number
  }[]
  /**
   * What the reader must know about this variant's figures: data the harness could not collect,
   * a fault that could not be carried out, the relay that ran instead of the one asked for.
   * Printed with the results; empty when there is nothing to say.
   */
  warnings: string[]
}

/** Everything a run produced; written as results.json. */
export interface RunResult {
  /** The results schema's version: 1 (fields added since keep it, and may be absent from older files). */
  schemaVersion: 1
  /** The scenario that ran: its name, description and the files it came from. */
  scenario: {
    /** The scenario's name (it names the report folder); from manifests alone, the Service's name. */
    name: string
    /** The scenario's one-line description; empty when it gives none. */
    description: string
    /** The scenario file as the command line named it (else the default scenario's path); absent when there was none (--manifests alone, or the API without a file). */
    file: string | undefined
    /** The Kubernetes manifests file the cluster and service came from (--manifests, or cluster.manifests next to the scenario file); absent when there was none. */
    manifests: string | undefined
  }
  /** The seed of every random choice (balancers, hashes, latency draws, probe phases, `random` fault targets): --seed, else the scenario's. @default 1 */
  seed: number
  /** When the run began, ISO 8601 UTC. */
  startedAt: string
  /** When the last variant had finished and its cluster was stopped, ISO 8601 UTC. */
  finishedAt: string
  /** True when SIGINT/SIGTERM stopped the run; variants hold what was measured. */
  interrupted: boolean
  versions: Versions
  machine: Machine
  /** The loopback block the run used, e.g. 127.42.0.0/16. */
  addressBlock: string
  /** What resolving the scenario found worth saying (e.g. a hashing balancer with one client address, parts of a manifests file svcbench ignores); each variant's own are in its warnings. */
  warnings: string[]
  /** What svcbench chose where the input left a choice: which Service and port of the manifests ran, replicas under an HPA, a ClusterIP Service run as another type. Absent from older results. */
  notes?: string[]
  /** The scenario as resolved (defaults filled, durations in ms). */
  resolved: ResolvedVariant[]
  variants: VariantResult[]
  /** Trials per variant (1 unless --trials or a baseline asked for more; under --pair, the pairs asked for). */
  trials: number
  /** Set when an abortOnFail threshold stopped the run. */
  aborted: GateResult['aborted']
  /** --pair: the two variants ran as adjacent pairs; absent otherwise. */
  paired?: PairedSchedule
  /** The gate verdict (thresholds, baseline comparison), added by the CLI. */
  gate?: GateResult
}
