/**
 * What the measuring parts hand to the summarizers: the load generator's result, the pods', the
 * node proxies' and the load balancer's counters, and the endpoints controller's events. Plain
 * data (histograms aside). Types and constants only.
 */
import type { Histogram } from 'hdr-histogram-js'
import type { LatencySummary } from './summaries.ts'
import type { RelayName } from './variant-parts.ts'
import type { ErrorKind } from './variant-parts.ts'

/** A latency histogram in µs (stats/latency.ts makes them). */
export type LatencyHistogram = Histogram

/**
 * One second of the measured phase, client side. The closed model counts each request in the
 * second it ended; the open model in the second of its intended start, except `completed` and
 * `inFlight`.
 */
export interface LoadSecond {
  /** HTTP responses of any status. */
  responses: number
  /** Responses with status < 400. */
  ok: number
  /** Transport errors and 5xx. */
  errors: number
  latency: LatencySummary
  /** Requests that ended in this second (responses and transport errors, not drops), by their end. @default responses + errors */
  completed?: number
  /** Open model: requests whose intended start fell in this second. */
  scheduled?: number
  /** Open model: of those, dropped (no connection free within the request timeout). */
  dropped?: number
  /** Open model: requests written and not yet ended at the end of this second. */
  inFlight?: number
}

/** What the load generator measured (the fields marked with a default may be absent from a synthetic result). */
export interface LoadResult {
  /** Measured time from epoch to the last client stopping, ms. */
  elapsedMs: number
  /** HTTP responses of any status. */
  responses: number
  /** Responses with status < 400. */
  ok: number
  statusCounts: Record<string, number>
  errorsByKind: Record<ErrorKind, number>
  /** Transport error codes (ECONNRESET, ...) and `HTTP_<status>` for 4xx/5xx. */
  errorsByCode: Record<string, number>
  /**
   * Latency of every request measured (µs resolution): responses of any status and transport
   * errors at their time, drops at the request timeout, timeouts at the request timeout after
   * the write (censored). From the intended start under the open model, from the write under the
   * closed model.
   */
  latency: LatencyHistogram
  /** From the write to the response, responses of any status only (k6's http_req_duration). @default latency */
  serviceLatency?: LatencyHistogram
  /** Open model: actual handling − intended start of every request of the measured phase; null under the closed model. @default null */
  scheduleLag?: LatencyHistogram | null
  /** Open model: requests whose intended start fell in the measured phase; closed: requests that ended (responses and transport errors). @default responses + transport errors */
  scheduled?: number
  /** Requests written (the closed model: as `scheduled`). @default scheduled */
  sent?: number
  /** Open model: requests dropped because no pooled connection came free within the request timeout; 0 under the closed model. @default 0 */
  dropped?: number
  /** Requests that ended (responses and transport errors) per 100 ms of the measured phase, by the time they ended. @default [] */
  completedPer100ms?: number[]
  /** Open model: drops per 100 ms of the measured phase, by intended start; empty under the closed model. @default [] */
  droppedPer100ms?: number[]
  perSecond: LoadSecond[]
  /** Each second's latency histogram (for windows around faults). */
  perSecondHistograms: LatencyHistogram[]
  /** Successful responses (status < 400) per 100 ms of the measured phase: the goodput failover statistics use. */
  okPer100ms: number[]
  /** Every error of the measured phase: ms since the epoch and kind (the first MAX_ERROR_EVENTS). */
  errorEvents: { tMs: number; kind: ErrorKind }[]
  /** Exact error counts per 100 ms of the measured phase, in ERROR_KINDS order. */
  errorsPer100ms: number[][]
  /** Distinct source addresses connections were bound to. */
  clientAddressesUsed: number
  /** True when stopped by the signal before the duration elapsed. */
  interrupted: boolean
  /** UDP Services: which pod answered whom, from the answers (each names its pod); absent for TCP. @default absent */
  udp?: UdpLoadResult
}

/** Most query outcomes kept over all UDP flows (beyond it, answered and lost stay exact). */
export const MAX_FLOW_OUTCOMES = 200_000

/** One client socket of a UDP load with fixed source ports (a resolver's), over the measured phase. */
export interface UdpFlowRecord {
  /** Its source address. */
  client: string
  /** Its source port. */
  port: number
  /** Queries answered. */
  answered: number
  /** Queries lost (no answer within the request timeout). */
  lost: number
  /** Each query's intended start, ms since the epoch (warm-up ones below 0), in the order they ended. */
  t: number[]
  /** Each query's outcome: the index in UdpLoadResult.podNames of the pod that answered, -1 when it was lost. */
  pod: number[]
}

/** What a UDP load saw of the pods (answers name the pod that sent them; a command pod's may not). */
export interface UdpLoadResult {
  sourcePort: 'fixed' | 'per-query'
  /** Answers per client address, per pod ('' for answers that name none). */
  byClient: Record<string, Record<string, number>>
  /** Fixed source ports: one record per client socket; per-query: empty (every query is its own flow). */
  flows: UdpFlowRecord[]
  /** The pods UdpFlowRecord.pod indexes ('' for answers naming none). */
  podNames: string[]
}

/** Live counters (warm-up included), for a progress display. */
export interface LoadProgress {
  /** Responses of any status since the load began (warm-up included). */
  responses: number
  /** Errors since the load began (warm-up included). */
  errors: number
  /** Measured phase only: requests (responses plus transport errors) and errors, as in the results. */
  measured: { requests: number; errors: number }
}

/** Counters of the measured phase (requests that arrived at or after the epoch). */
export interface PodStats {
  name: string
  requests: number
  /** Requests answered with 5xx. */
  errors5xx: number
  /** Connections that carried at least one measured request (UDP: flows, distinct source address and port). */
  connections: number
  /** UDP: queries the pod left unanswered on purpose (its errorRate: a dropped answer). @default 0 */
  dropped?: number
  /** Per TCP source address: requests and connections. */
  byPeer: Record<string, { requests: number; connections: number }>
  /** Requests per client address (X-Forwarded-For if present, else the TCP source). */
  byClient: Record<string, number>
  /** Requests per second since the reset epoch (index = whole seconds). */
  perSecond: number[]
}

/** Counters of the measured phase. */
export interface ProxyStats {
  node: string
  /** Client connections that carried traffic in the measured phase. */
  connections: number
  /** Balancing decisions that carried measured traffic (connections in L4, requests in L7). */
  decisions: number
  /** Decisions per pod. */
  byPod: Record<string, number>
  /** Decisions per client address, per pod. */
  byClient: Record<string, Record<string, number>>
  /**
   * Per client address, each change of pod as [Date.now(), pod] (the first decision included),
   * so that failover can tell which clients a fault moved. At most MAX_MOVES per client.
   */
  clientPods: Record<string, [number, string][]>
  /** Client connections refused because no endpoint was ready. */
  noEndpoint: number
  /** Upstream connections that failed to open. */
  upstreamConnectErrors: number
  /** Upstream connections reset or failed after opening. */
  upstreamErrors: number
  /** HTTP requests sent to each pod (counted when asked: command pods, and always in L7 mode). */
  requestsByPod: Record<string, number>
  /** The same per second since the epoch (index = whole seconds). */
  requestsPerSecondByPod: Record<string, number[]>
  /** Most client connections (L4) or requests (L7) the proxy had open at once since it started. */
  peakConnections?: number
  /** ipvs mode: the node's IPVS real servers in the kernel's list order (head first), with their weight there (0: being deleted gracefully). */
  realServers?: { name: string; weight: number }[]
  /** The relay that moved the proxy's bytes (a proxy process always says; counters alone do not know). */
  relay?: RelayName
  /**
   * Why that relay ran instead of the one asked for (SVCBENCH_L4_RELAY, else native), e.g. the
   * native addon's load error; null when it is the one asked for.
   */
  relayFallback?: string | null
}

/** A health transition, Date.now() timestamps. */
export interface LbEvent {
  node: string
  healthy: boolean
  atMs: number
}

/** What the load balancer counted in the measured phase. */
export interface LbStats {
  /** Decisions per node: connections (L4), requests (least-outstanding) or flows (a UDP Service). */
  byNode: Record<string, number>
  /** Connections, requests or (UDP) datagrams refused because no node could take them. */
  refused: number
  events: LbEvent[]
  /** The relay that moved its bytes; null for a UDP Service (datagrams, no relay mode). */
  relay: RelayName | null
  /** Why that relay ran instead of the one its preset runs here (native for L4 without TLS), e.g. the addon's load error; null when it is that one. */
  relayFallback: string | null
}

/** Something the controller saw or did, timestamped with Date.now(). */
export type EndpointEvent =
  | { type: 'not-ready' | 'ready' | 'terminating' | 'removed'; pod: string; atMs: number }
  | { type: 'published'; ready: string[]; terminating: string[]; changed: string[]; atMs: number }

/** An endpoints-controller event, ms since the epoch. */
export type TimedEndpointEvent =
  | { type: 'not-ready' | 'ready' | 'terminating' | 'removed'; pod: string; tMs: number }
  | { type: 'published'; ready: string[]; terminating?: string[]; changed: string[]; tMs: number }
