/**
 * The results schema: what results.json holds (RunResult), and every part of it. Written by the
 * runner and the summarizers, read by reports, gates and people. Types and constants only.
 */
import type { ResolvedFault, ResolvedVariant } from './scenario.ts'

/** Error kinds, as results report them. */
export const ERROR_KINDS = ['connect-refused', 'reset', 'timeout', 'http-5xx', 'other'] as const
export type ErrorKind = (typeof ERROR_KINDS)[number]

/** Summary of a latency histogram, in ms. */
export interface LatencySummary {
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
  /** Samples recorded. */
  count: number
}

/** How clients spread over pods. */
export interface StickinessSummary {
  /** Distinct client addresses that made at least one request. */
  clients: number
  /** Clients all of whose requests reached a single pod. */
  clientsOnOnePod: number
  /** Mean number of distinct pods a client reached. */
  meanPodsPerClient: number
  /** Largest number of distinct pods one client reached. */
  maxPodsPerClient: number
}

/** What results.json carries as `variants[i].cpu`; percent of one core unless said otherwise. */
export interface CpuSummary {
  /** The svcbench process: autocannon, the endpoints controller, the fault driver. */
  loadGeneratorPct: number
  /** Each node's kube-proxy process (its threads together: it may exceed 100). */
  proxies: Record<string, number>
  /**
   * Each node proxy's busiest thread (Node's main thread, or the native relay's), the figure
   * saturation is judged on; absent where threads were not sampled.
   */
  proxyBusiestThread?: Record<string, number>
  /** The front load balancer, or null. */
  loadBalancerPct: number | null
  /** All pod processes together, and the busiest one. */
  pods: { totalPct: number; maxPct: number; maxPod: string | null }
  /** Busy share of all cores, percent (100 = every core busy); null without /proc/stat. */
  machineBusyPct: number | null
  /**
   * CPU the machine spent on anything but this run's processes (other programs, and kernel
   * network work not charged to a process), percent of one core; null without /proc/stat.
   */
  otherPct: number | null
  cores: number
  /** Processes above SATURATION_PCT, e.g. `load generator 97%`, `proxy node-a 93%`. */
  saturated: string[]
}

/** Unit of one balancing decision. */
export type DecisionUnit = 'clients' | 'connections' | 'requests'

/** One fault's cost. */
export interface FailoverResult {
  fault: ResolvedFault['action']
  target: string
  pods: string[]
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
  expectedDetectionSec: { min: number; max: number } | null
  firstErrorSec: number | null
  lastErrorSec: number | null
  /** Errors from the fault until the next fault (or the end), by kind. */
  errors: Record<ErrorKind, number>
  /** Requests that failed in that window. */
  requestsLost: number
  /** Deepest drop of the 1 s throughput below the 3 s before the fault, percent; null without a baseline. */
  throughputDipPct: number | null
  /**
   * Start of the first 2 s in which every 500 ms window ran at ≥ 90% of the 3 s before the fault
   * (100 ms resolution; a window may hold one slow 100 ms slot); null if never.
   */
  recoveredAtSec: number | null
  latencyMs: { before: { p99: number }; during: { p99: number }; after: { p99: number } }
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

/** Fairness of the request split, and how the balancing decisions fit the prediction. */
export interface FairnessSummary {
  /** Jain's index of pod request counts. */
  jain: number
  /** Population coefficient of variation of pod request counts. */
  cov: number
  /** Busiest pod's requests over the mean. */
  maxOverMean: number
  /** What a balancing decision is here: connections (L4), requests (L7) or clients (hashing, affinity). */
  unit: DecisionUnit
  /** Decisions per pod (pod order). */
  decisions: number[]
  /** Predicted share of decisions per pod; null when no static prediction exists. */
  expectedShares: number[] | null
  /** χ² goodness-of-fit p-value of `decisions` against `expectedShares`; null without a prediction. */
  chiSquaredP: number | null
  /** chiSquaredP ≥ 0.01 (null without a prediction). */
  fitsPrediction: boolean | null
  /** How the prediction was made. */
  basis: string
}

/** A pod's part in a variant. */
export interface PodResult {
  name: string
  node: string
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
  name: string
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
  /** Latency p50 / p99 of the second's responses, ms. */
  p50Ms: number
  p99Ms: number
  /** Requests per second per pod, pod side. */
  byPod: Record<string, number>
  /** Errors per second by kind. */
  errorsByKind: Record<ErrorKind, number>
}

/** Everything measured for one variant. */
export interface VariantResult {
  name: string
  /** The algorithm that ran (registry name, e.g. `ip-hash`). */
  balancer: string
  /** The friendly alias the scenario used, if any. */
  alias: string | null
  proxyMode: string
  ipvsScheduler: string | null
  ipvsFlags: string[]
  sessionAffinity: 'None' | 'ClientIP'
  externalTrafficPolicy: 'Cluster' | 'Local'
  balancing: 'connection' | 'request'
  /** Length of the measured phase, seconds. */
  durationSec: number
  /**
   * Who counted the per-pod requests: `pods` (svcbench's built-in pod, which also sees source
   * addresses and its own 5xx) or `proxies` (command pods: the node proxies counted what they sent;
   * source addresses and per-pod 5xx are then unknown and reported as 0).
   */
  countedBy: 'pods' | 'proxies'
  interrupted: boolean
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
  }
  errors: {
    total: number
    /** errors.total / requests.total. */
    rate: number
    byKind: Record<ErrorKind, number>
    byCode: Record<string, number>
  }
  latencyMs: LatencySummary & {
    /** The HDR percentile curve: latency at 0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100 %. */
    curve: { percentile: number; ms: number }[]
  }
  pods: PodResult[]
  nodes: NodeResult[]
  fairness: FairnessSummary
  stickiness: StickinessSummary & {
    /** Decisions per (client address, pod), for the first MAX_MATRIX_CLIENTS client addresses in address order. */
    matrix: { client: string; pod: string; decisions: number }[]
  }
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
  calibration: { rps: number; p50: number; p99: number } | null
  /** requests.rps, latency p50 and p99 as ratios to the calibration path; null without one. */
  normalized: { rps: number; p50: number; p99: number } | null
  /**
   * Every trial's gate metrics when the variant ran as trials (--trials, baselines); else empty.
   * `disturbed`: another program used more than 20% of a core meanwhile; such a trial was run
   * again and is left out of the statistics.
   */
  trials: { trial: number; metrics: Record<string, number | null>; disturbed: boolean }[]
  /**
   * What the reader must know about this variant's figures: data the harness could not collect,
   * a fault that could not be carried out, the relay that ran instead of the one asked for.
   * Printed with the results; empty when there is nothing to say.
   */
  warnings: string[]
}

/** What the front load balancer did. */
export interface LoadBalancerResult {
  preset: string
  algorithm: string
  preserveClientIp: boolean
  allUnhealthy: 'fail-open' | 'refuse'
  /** TLS terminated at the load balancer. */
  tls: boolean
  healthCheck: { intervalSeconds: number; timeoutSeconds: number; healthyThreshold: number; unhealthyThreshold: number }
  /** Connections (L4) or requests (least-outstanding) sent to each node in the measured phase. */
  byNode: Record<string, number>
  /** Refused because no node was healthy (allUnhealthy: refuse). */
  refused: number
  /** Health transitions, seconds since the measured phase began. */
  events: { tSec: number; node: string; healthy: boolean }[]
  /** The relay that moved its bytes. Absent in results written before it was reported. */
  relay?: RelayName
}

/** A marker on the timeline. */
export interface TimelineEvent {
  /** Seconds since the measured phase began (negative: during warm-up). */
  tSec: number
  type: 'fault' | 'not-ready' | 'ready' | 'terminating' | 'removed' | 'endpoints-updated' | 'lb-unhealthy' | 'lb-healthy'
  /** e.g. `kill-pod pod-2`, `pod-2`, `ready: pod-1,pod-3`. */
  detail: string
}

/** Path → value; null where the result holds null. */
export type MetricMap = Record<string, number | null>

/** One threshold checked against one variant. */
export interface ThresholdResult {
  variant: string
  path: string
  condition: string
  /** The limit in the metric's unit. */
  limit: number
  /** What was measured (the median over trials when there were several); null = no value. */
  measured: number | null
  pass: boolean
  /** Why it failed without a value, or that it aborted the run. */
  note?: string
}

export type MetricVerdict = 'regression' | 'improvement' | 'unchanged'

/** One metric of one variant compared. */
export interface Comparison {
  variant: string
  path: string
  better: 'lower' | 'higher'
  mode: 'ratio' | 'difference'
  baseline: number
  current: number
  /** ratio mode: current/baseline − 1 (0.05 = +5%); difference mode: current − baseline. */
  change: number
  /** 95% bootstrap interval of the same quantity. */
  ci: [number, number]
  pValue: number
  trials: { baseline: number; current: number }
  verdict: MetricVerdict
  /** Why unchanged (not significant, below min-change, below the noise floor). */
  reason: string
}

/** The gate's outcome, stored in results.json as `gate`. */
export interface GateResult {
  /** fail: a threshold failed, a metric regressed, or abortOnFail stopped the run; none: nothing to check. */
  verdict: 'pass' | 'fail' | 'none'
  thresholds: ThresholdResult[]
  comparisons: Comparison[]
  baseline: { name: string; file: string; savedAt: string; machine: string } | null
  options: { minChange: number; alpha: number; normalize: boolean; trials: number }
  /** Set when an abortOnFail threshold stopped the run. */
  aborted: RunResult['aborted']
  /** Things the reader should know (variants missing from the baseline, changed settings). */
  notes: string[]
}

/** Versions recorded in every result. */
export interface Versions {
  svcbench: string
  node: string
  autocannon: string
  undici: string
}

/** The machine a run ran on. */
export interface Machine {
  cpus: number
  cpuModel: string
  platform: string
  arch: string
  totalMemoryBytes: number
}

/** Everything a run produced; written as results.json. */
export interface RunResult {
  schemaVersion: 1
  scenario: { name: string; description: string; file: string | undefined; manifests: string | undefined }
  seed: number
  startedAt: string
  finishedAt: string
  /** True when SIGINT/SIGTERM stopped the run; variants hold what was measured. */
  interrupted: boolean
  versions: Versions
  machine: Machine
  /** The loopback block the run used, e.g. 127.42.0.0/16. */
  addressBlock: string
  warnings: string[]
  /** The scenario as resolved (defaults filled, durations in ms). */
  resolved: ResolvedVariant[]
  variants: VariantResult[]
  /** Trials per variant (1 unless --trials or a baseline asked for more). */
  trials: number
  /** Set when an abortOnFail threshold stopped the run. */
  aborted: { variant: string; path: string; condition: string; measured: number; atSec: number } | null
  /** The gate verdict (thresholds, baseline comparison), added by the CLI. */
  gate?: GateResult
}
