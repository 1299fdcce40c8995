/**
 * The results schema: what results.json holds (RunResult), and every part of it but the gate's
 * verdict (gate-result.ts) and the stats summaries (summaries.ts). Written by the runner and the
 * summarizers, read by reports, gates and people. Types and constants only.
 */
import type { ResolvedFault, ResolvedVariant } from './scenario.ts'
import type { GateResult } from './gate-result.ts'
import type { CpuSummary, FairnessSummary, LatencySummary, LoadSummary, StickinessSummary } from './summaries.ts'
import type { Machine, Versions } from './run-info.ts'

export type { Machine, Versions } from './run-info.ts'

/** Error kinds, as results report them. */
export const ERROR_KINDS = ['connect-refused', 'reset', 'timeout', 'http-5xx', 'other'] as const
/**
 * What went wrong with a request: `connect-refused` (ECONNREFUSED), `reset` (ECONNRESET, EPIPE),
 * `timeout` (no answer within load.requestTimeoutMs, or ETIMEDOUT), `http-5xx` (a response with
 * status ≥ 500), `other` (4xx responses and every other socket error), as the load generator
 * classifies them.
 */
export type ErrorKind = (typeof ERROR_KINDS)[number]

/** One fault's cost. */
export interface FailoverResult {
  /** The fault's action. */
  fault: ResolvedFault['action']
  /** The target as the scenario gave it: a pod name, `random`, `node:<node>`, or `all` (scale, rolling-update). */
  target: string
  /** The pods it applied to (the seeded pick for `random`, every pod of the node for a node); empty for scale and rolling-update. */
  pods: string[]
  /** When the fault took effect (the kill sent, the pod acknowledged the change), seconds since the measured phase began. */
  atSec: number
  /**
   * When the failure was acted on: every node proxy had the endpoint change (removal, or return
   * for recover-pod); for kill-node behind a load balancer, the LB marked the node unhealthy.
   * Null if it never came.
   */
  detectedAtSec: number | null
  /** detectedAtSec − atSec. */
  detectionSec: number | null
  /** What the probe arithmetic predicts for detectionSec; null when the probe cannot notice (fail-pod, slow-pod under the timeout). */
  expectedDetectionSec: {
    /** The shortest detectionSec the arithmetic allows, s. */
    min: number
    /** The longest detectionSec the arithmetic allows, s. */
    max: number
  } | null
  /**
   * The first client-side error (any kind) from the fault until the next fault (or the end),
   * seconds since the measured phase began; null when there was none (to 100 ms once the run had
   * more than MAX_ERROR_EVENTS, 200,000, errors).
   */
  firstErrorSec: number | null
  /** The last client-side error in that window, seconds since the measured phase began; null when there was none (100 ms resolution, as firstErrorSec). */
  lastErrorSec: number | null
  /** Errors from the fault until the next fault (or the end), by kind. */
  errors: Record<ErrorKind, number>
  /** Requests that failed in that window (the open model: requests whose intended start fell in it that failed, timed out or were dropped). */
  requestsLost: number
  /** Open model: of requestsLost, the requests dropped (no pooled connection free in time); 0 under the closed model. */
  requestsDropped: number
  /**
   * Closed model: the clients completed under half their rate of the 3 s before the fault in some
   * 1 s of `during`, so the figures describe that many blocked clients, not a stream of requests
   * (the variant's warnings say so); null under the open model or without 3 s before the fault.
   */
  clientsBlocked: boolean | null
  /** Deepest drop of the 1 s throughput below the 3 s before the fault, percent; null without a baseline. */
  throughputDipPct: number | null
  /**
   * Start of the first 2 s in which every 500 ms window ran at ≥ 90% of the 3 s before the fault
   * (100 ms resolution; a window may hold one slow 100 ms slot); null if never.
   */
  recoveredAtSec: number | null
  /** Client-side p99 of latencyMs (from the intended start under the open model) before, during and after the fault, ms, each over whole seconds of the timeline. */
  latencyMs: {
    /** Up to 5 whole seconds before the fault's second. */
    before: {
      /** p99 of the responses in those seconds, ms; 0 when there were none. */
      p99: number
    }
    /** From the fault's second until recovery (else detection, else the end of its window); at least 1 s. */
    during: {
      /** p99 of the responses in those seconds, ms; 0 when there were none. */
      p99: number
    }
    /** From the end of `during` to the end of the fault's window (the next fault, or the end). */
    after: {
      /** p99 of the responses in those seconds, ms; 0 when there were none. */
      p99: number
    }
  }
  /**
   * Hashing balancers and ClientIP affinity: share of client addresses whose pod at the end of the
   * fault's window differs from their pod when it struck (clients seen both before and after); null otherwise.
   */
  clientsRemapped: number | null
  /**
   * Why the fault could not be carried out, failed part-way, or had not finished by the end of
   * the measured phase (a rolling update whose new pods never became ready); null when it was
   * carried out in full. When set, the figures above describe what did happen, and the variant's
   * warnings say so.
   */
  failed: string | null
}

/** A pod's part in a variant. */
export interface PodResult {
  /** The pod's name, e.g. `pod-2`; the free slots kept for scale-ups and rolling-update surges are listed too. */
  name: string
  /** The node the pod ran on. */
  node: string
  /** The pod's own loopback address in the run's block (127.B.2.x onwards). */
  address: string
  /** Requests the pod served in the measured phase (pod-side count). */
  requests: number
  /** Connections the pod accepted in the measured phase. */
  connections: number
  /** Requests the pod answered with 5xx. */
  errors5xx: number
  /** requests / all pods' requests. */
  share: number
  /** Share of balancing decisions the configuration predicts (null without a prediction). */
  expectedShare: number | null
  /** Balancing decisions that went to this pod (unit: fairness.unit). */
  decisions: number
  /** IPVS weight. */
  weight: number
}

/** A node's proxy in a variant. */
export interface NodeResult {
  /** The node's name as the scenario gave it, e.g. `node-a`. */
  name: string
  /** The node's loopback address, where its NodePort proxy listens (127.B.1.x). */
  address: string
  /** Client connections the node's proxy accepted. */
  connections: number
  /** Balancing decisions it made (connections in L4 mode, requests in L7 mode). */
  decisions: number
  /**
   * The relay that moved the node proxy's bytes; null when the node's counts could not be read.
   * Absent in results written before it was reported.
   */
  relay?: RelayName | null
}

/**
 * How a proxy moved bytes: an L4 relay mode (`native`: the addon's thread; `raw`: reads straight
 * to the other socket's TCP handle; `onread`: fixed buffers through the other socket's Writable;
 * `data`: stream 'data' events, as a stream pipe does), or `l7` (per request, HTTP parsed).
 */
export type RelayName = 'native' | 'raw' | 'onread' | 'data' | 'l7'

/** One second of the measured phase. */
export interface TimelinePoint {
  /** Seconds since the measured phase began (bucket start). */
  tSec: number
  /** Responses per second (any status), client side. */
  rps: number
  /** Errors per second (transport errors and HTTP ≥ 400), client side. */
  errors: number
  /** p50 of the second's latencyMs (see VariantResult.latencyMs), client side, ms; 0 in a second without requests. */
  p50Ms: number
  /** p99 of the second's latencyMs, client side, ms; 0 in a second without requests. */
  p99Ms: number
  /** Requests that ended in this second (responses and transport errors), by the time they ended; the last point holds all that ended later. Absent in older results. */
  completed?: number
  /** Open model: requests whose intended start fell in this second (rps, errors, p50Ms and p99Ms then count these requests, by intended start). */
  scheduled?: number
  /** Open model: of those, dropped. */
  dropped?: number
  /** Open model: requests written and not yet ended at the end of this second. */
  inFlight?: number
  /** Requests per second per pod, pod side. */
  byPod: Record<string, number>
  /** Errors per second by kind. */
  errorsByKind: Record<ErrorKind, number>
}

/** Everything measured for one variant. */
export interface VariantResult {
  /** The variant's name (`default` when the scenario declares none). */
  name: string
  /** The algorithm that ran (registry name, e.g. `ip-hash`). */
  balancer: string
  /** The friendly alias the scenario used, if any. */
  alias: string | null
  /** The kube-proxy mode that ran: `iptables`, `nftables`, `ipvs` or `userspace`. */
  proxyMode: string
  /** The IPVS scheduler (`rr`, `wrr`, `lc`, `wlc`, `sh`, `dh`, `sed`, `nq`, `mh`); null unless proxyMode is ipvs. */
  ipvsScheduler: string | null
  /** IPVS scheduler flags (ipvsadm -b: `sh-port`, `sh-fallback`, `mh-port`, `mh-fallback`); empty when none. */
  ipvsFlags: string[]
  /** The Service's sessionAffinity: `None`, or `ClientIP` (each node keeps a client address on its pod, with the iptables `recent` semantics in every mode). */
  sessionAffinity: 'None' | 'ClientIP'
  /** `Cluster` (each node balances over every pod and SNATs to its own address) or `Local` (each node over its own pods only, the client's address kept). */
  externalTrafficPolicy: 'Cluster' | 'Local'
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
  }[]
  /**
   * What the reader must know about this variant's figures: data the harness could not collect,
   * a fault that could not be carried out, the relay that ran instead of the one asked for.
   * Printed with the results; empty when there is nothing to say.
   */
  warnings: string[]
}

/** What the front load balancer did. */
export interface LoadBalancerResult {
  /** The preset its settings started from (`aws-nlb`, `aws-clb`, `gcp-l4`, `metallb-l2`); the scenario may override any field, and the fields here are what ran. */
  preset: string
  /** How it picked a node: `flow-hash` (hash of the connection's address and port), `round-robin` (per connection), `least-outstanding` (per request, L7) or `leader` (one node takes everything). */
  algorithm: string
  /** Whether it connected to the node from the client's address rather than its own (per-connection algorithms; least-outstanding always connects from its own address and passes the client in X-Forwarded-For). */
  preserveClientIp: boolean
  /** What it did with no node healthy: send to every node anyway (`fail-open`) or turn the client away (`refuse`: a reset, or 503 under least-outstanding). */
  allUnhealthy: 'fail-open' | 'refuse'
  /** TLS terminated at the load balancer. */
  tls: boolean
  /** The health check it ran on every node: a TCP connect to the NodePort under externalTrafficPolicy Cluster, HTTP GET /healthz on the healthCheckNodePort under Local. */
  healthCheck: {
    /** Seconds between two checks of a node. */
    intervalSeconds: number
    /** Seconds a check may take before it counts as failed. */
    timeoutSeconds: number
    /** Passed checks in a row that bring an unhealthy node back. */
    healthyThreshold: number
    /** Failed checks in a row that take a healthy node out. */
    unhealthyThreshold: number
  }
  /** Connections (L4) or requests (least-outstanding) sent to each node in the measured phase. */
  byNode: Record<string, number>
  /** Refused because no node was healthy (allUnhealthy: refuse). */
  refused: number
  /** Health transitions, seconds since the measured phase began. */
  events: {
    /** When the node's health changed, seconds since the measured phase began (negative: during warm-up). */
    tSec: number
    /** The node whose health changed. */
    node: string
    /** True: the node came back (healthyThreshold checks passed in a row); false: it was taken out (unhealthyThreshold failed in a row). */
    healthy: boolean
  }[]
  /** The relay that moved its bytes. Absent in results written before it was reported. */
  relay?: RelayName
}

/** A marker on the timeline. */
export interface TimelineEvent {
  /** Seconds since the measured phase began (negative: during warm-up). */
  tSec: number
  /**
   * What happened: `fault` (a fault took effect); `not-ready` / `ready` (the endpoints controller
   * changed a pod's readiness); `terminating` / `removed` (a deleted pod's endpoint went
   * terminating / the pod was gone after preStop, SIGTERM and the grace period);
   * `endpoints-updated` (every running node proxy had the new endpoint set);
   * `lb-unhealthy` / `lb-healthy` (the front load balancer's health check took a node out / back).
   */
  type: 'fault' | 'not-ready' | 'ready' | 'terminating' | 'removed' | 'endpoints-updated' | 'lb-unhealthy' | 'lb-healthy'
  /** e.g. `kill-pod pod-2`, `pod-2`, `ready: pod-1,pod-3`. */
  detail: string
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
  /** The scenario as resolved (defaults filled, durations in ms). */
  resolved: ResolvedVariant[]
  variants: VariantResult[]
  /** Trials per variant (1 unless --trials or a baseline asked for more). */
  trials: number
  /** Set when an abortOnFail threshold stopped the run. */
  aborted: GateResult['aborted']
  /** The gate verdict (thresholds, baseline comparison), added by the CLI. */
  gate?: GateResult
}
