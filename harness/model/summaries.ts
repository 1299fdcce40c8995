/**
 * The per-variant summaries the stats functions compute (latency, stickiness, fairness, CPU), as
 * results.json holds them inside VariantResult (results.ts). Types only.
 */

/** Summary of a latency histogram, in ms. */
export interface LatencySummary {
  /** The median (50th percentile), ms. */
  p50: number
  /** The 90th percentile, ms. */
  p90: number
  /** The 99th percentile, ms. */
  p99: number
  /** The 99.9th percentile, ms. */
  p999: number
  /** The largest sample, ms. */
  max: number
  /** The mean of the samples, ms. */
  mean: number
  /** Samples recorded. */
  count: number
}

/** How clients spread over pods. */
export interface StickinessSummary {
  /** Distinct client addresses the node proxies balanced at least once. */
  clients: number
  /** Clients every balancing decision of which (connection in L4, request in L7) went to a single pod. */
  clientsOnOnePod: number
  /** Mean number of distinct pods a client reached. */
  meanPodsPerClient: number
  /** Largest number of distinct pods one client reached. */
  maxPodsPerClient: number
}

/** Unit of one balancing decision. */
export type DecisionUnit = 'clients' | 'connections' | 'requests' | 'flows'

/** Fairness of the request split, and how the balancing decisions fit the prediction. */
export interface FairnessSummary {
  /** Jain's index of pod request counts. */
  jain: number
  /** Population coefficient of variation of pod request counts. */
  cov: number
  /** Busiest pod's requests over the mean. */
  maxOverMean: number
  /** What a balancing decision is here: connections (L4), requests (L7), flows (a UDP Service: one pick per conntrack entry) or clients (hashing, affinity). */
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
  pods: {
    /** Every pod process together, percent of one core (may exceed 100). */
    totalPct: number
    /** The busiest pod process, percent of one core; 0 without pod processes. */
    maxPct: number
    /** The busiest pod process: a pod's name, or `pod host <node>` when a node's pods share one process (podProcesses: per-node); null without pod processes. */
    maxPod: string | null
  }
  /** Busy share of all cores, percent (100 = every core busy); null without /proc/stat. */
  machineBusyPct: number | null
  /**
   * CPU the machine spent on anything but this run's processes (other programs, and kernel
   * network work not charged to a process), percent of one core; null without /proc/stat.
   */
  otherPct: number | null
  /** Logical cores of the machine (os.cpus().length); machineBusyPct's 100 means all of them busy. */
  cores: number
  /** Processes above SATURATION_PCT, e.g. `load generator 97%`, `proxy node-a 93%`. */
  saturated: string[]
}

/** One real server of a node's IPVS virtual service (NodeResult.ipvsRealServers). */
export interface IpvsRealServerResult {
  /** The pod it sends to. */
  name: string
  /** Its IPVS weight (the pod's weight; 0 while it waits to be deleted). */
  weight: number
}

/** How a variant's load was driven (VariantResult.load). */
export interface LoadSummary {
  /** `closed`: `connections` clients, one request in flight each; `open`: requests on an arrival schedule (docs/load-models.md). */
  model: 'closed' | 'open'
  /** Closed: the clients; open with keep-alive: the connections opened at the start. */
  connections: number
  /** Open model: the rate at the start of the measured phase and at the end of each stage, req/s (one entry for load.rate); empty under the closed model. */
  ratesRps: number[]
  /** Open model: `constant` or `poisson`; null under the closed model. */
  arrival: 'constant' | 'poisson' | null
  /** Whether connections were kept alive. */
  keepAlive: boolean
  /** load.requestTimeout, ms: where timeouts and drops sit in latencyMs (censored). */
  requestTimeoutMs: number
  /**
   * Open model: how late the generator acted on each request (wrote it, or queued it for a pooled
   * connection) after its intended start, ms; above 5 ms at p99 a warning says the figures include
   * the generator's own delay. Null under the closed model.
   */
  scheduleLagMs: {
    /** Median lag, ms. */
    p50: number
    /** 99th percentile lag, ms. */
    p99: number
    /** Largest lag, ms. */
    max: number
  } | null
}
