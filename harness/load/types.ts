/**
 * The one interface every load executor implements (STYLE.md §9, after k6's `lib/executor/`: one
 * `Executor` per file behind one interface). An executor decides when requests are sent (the
 * closed model: N connections, one request in flight each; an open model: an arrival schedule)
 * and feeds what comes back to a recorder (recorder.ts), which does the bookkeeping every
 * executor shares. The runner starts one, watches its progress and waits for its result.
 */
import type { LoadProgress, LoadResult } from '../model/measurements.ts'
import type { ArrivalProcess, ResolvedRateStage } from '../model/scenario.ts'

/** Registry name of an executor (= its key in registry.ts). */
export type LoadExecutorName = 'closed' | 'open' | 'udp'

/** The open model's schedule and pool (schedule.ts, open.ts). */
export interface OpenPlan {
  /** The rate when the measured phase starts, req/s. */
  startRps: number
  /** Ramps after it (the last target holds to the end). */
  stages: ResolvedRateStage[]
  arrival: ArrivalProcess
  /** Seed of the poisson gaps. */
  seed: number
  /** The rate from the start until the epoch (the warm-up), req/s. */
  warmupRps: number
  /** With keep-alive: most connections the pool opens. */
  maxConnections: number
  /** A request due within this many ms is slept for rather than left to Node's 1 ms timers (0: never). @default SLEEP_AHEAD_MS (open.ts) */
  sleepAheadMs?: number
}

/** A place connections go to. */
export interface LoadTarget {
  host: string
  port: number
  /** Speak HTTPS (certificates are not verified: the load balancer's is self-signed). */
  tls?: boolean
}

/** What to send, where from and for how long: the same for every executor. */
export interface LoadPlan {
  /**
   * Connection i goes to targets[i mod targets.length] (the open model without keep-alive: request i). Loopback addresses only (see `runNetns`).
   * With one target per client address (the same length as `clientAddresses`), connection i's
   * target is therefore its address's: in-cluster clients each reach the ClusterIP through their
   * own node (cluster/cluster.ts loadEnds). Every executor keeps this pairing.
   */
  targets: LoadTarget[]
  /** Connection i uses source address clientAddresses[i mod length] (the open model without keep-alive: request i). Loopback addresses only (see `runNetns`). */
  clientAddresses: string[]
  /**
   * Connections the executor opens: the closed model keeps one request in flight on each; the
   * open model with keep-alive opens them at the start, then more as needed up to maxConnections.
   */
  connections: number
  /** Measured phase length, ms from `epochMs`. */
  durationMs: number
  keepAlive: boolean
  /** With keep-alive: reconnect once a connection is this old, ms (at the next request). 0 = never. @default 0 */
  connectionLifetimeMs?: number
  /** Request path, e.g. `/`. */
  path: string
  /** A request with no answer after this many ms counts as a timeout. */
  requestTimeoutMs: number
  /**
   * Start of the measured window (Date.now() ms). Load starts at once; anything that completes
   * before the epoch is warm-up and is not counted (the same connections carry on into the
   * measured phase, so it does not restart cold). The per-second timeline counts from here.
   */
  epochMs: number
  /** Stop early (SIGINT); the result is then marked interrupted. */
  signal?: AbortSignal
  /**
   * The run's network namespace this load runs in (the kernel dataplane's client namespace):
   * inside it, and only there, targets and sources in 198.18.0.0/15 are the run's own too.
   * @default none: loopback addresses only
   */
  runNetns?: string
  /** The open model's schedule (required by the `open` and `udp` executors, ignored by `closed`). */
  open?: OpenPlan
  /** A UDP Service's queries (required by the `udp` executor, ignored by the others). */
  udp?: UdpPlan
}

/** How the `udp` executor (udp.ts) sends its queries. */
export interface UdpPlan {
  /** `fixed`: client i keeps one socket (one source port) for all its queries, to targets[i mod m]; `per-query`: query k opens its own, from clientAddresses[k mod n] to targets[k mod m]. */
  sourcePort: 'fixed' | 'per-query'
  /** Bytes of each query datagram (an 8-byte id, then padding). */
  queryBytes: number
}

/** A load under way. */
export interface RunningLoad {
  /** Live counters (warm-up included), for a progress display and live thresholds. */
  progress(): LoadProgress
  /** Stop now: `result` resolves with what was measured so far, marked interrupted. */
  stop(): void
  /** What was measured, once the duration has elapsed or the load was stopped. */
  result: Promise<LoadResult>
}

/** A way of driving load (one file each, listed in registry.ts). */
export interface LoadExecutor {
  /** Registry name, e.g. `closed`. */
  readonly name: LoadExecutorName
  /**
   * Start sending. Throws a HarnessError (NOT_LOOPBACK) before sending anything when a target or
   * source address is not on this machine.
   */
  start(plan: LoadPlan): RunningLoad
}
