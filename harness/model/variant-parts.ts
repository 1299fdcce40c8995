/**
 * The parts of a variant's results (model/results.ts VariantResult): pods, nodes, the timeline and
 * its events, each fault's cost, the front load balancer. Types only.
 */
import type { IpvsRealServerResult } from './summaries.ts'
import type { ResolvedFault } from './scenario.ts'
import type { UdpFailover } from './udp-results.ts'

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
  /** A UDP Service with fixed source ports: what the fault cost the flows pinned to its pods; null otherwise. @default null */
  udp?: UdpFailover | null
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
  /**
   * In-cluster clients (load.from 'cluster'): the share of this pod's requests that came from
   * client pods on its own node (the pod's TCP source, or X-Forwarded-For, tells the client's node:
   * a client pod's own address, or its node's address where kube-proxy masqueraded; for your own
   * server, which node's proxy sent the request); null for clients outside the cluster, or when
   * nothing was counted. Absent from older results.
   */
  sameNodeShare?: number | null
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
   * The relay that moved the node proxy's bytes; null when the node's counts could not be read,
   * and on the kernel dataplane (the kernel moved them). Absent in results written before it was reported.
   */
  relay?: RelayName | null
  /**
   * ipvs mode: the node's IPVS real servers at the end of the run, in the kernel's list order (head
   * first), each with its weight there (0: removed from the endpoints, waiting for its connection
   * entries to lapse before kube-proxy deletes it); null in the other modes or when unknown.
   * Absent in results written before it was reported.
   */
  ipvsRealServers?: IpvsRealServerResult[] | null
  /** In-cluster client pods running on this node (load.from 'cluster'); 0 with clients outside the cluster. Absent from older results. */
  clientPods?: number
  /**
   * The node proxy's balancing decisions per pod (connections in L4 mode, requests in L7 mode),
   * so a pod on another node is the extra hop of externalTrafficPolicy Cluster; pods it sent
   * nothing to are left out. Absent from older results.
   */
  byPod?: Record<string, number>
}

/** Where a variant's load came from, and how much of it stayed on the node it started on. */
export interface ClientsResult {
  /** `external`: clients outside the cluster, at the NodePorts or the front load balancer; `cluster`: client pods, each at the Service's ClusterIP through its own node's kube-proxy. */
  from: 'external' | 'cluster'
  /** In-cluster: client pods of their own (`separate`) or the Service's own pods calling it (`endpoints`); null for clients outside the cluster. */
  clientPods: 'separate' | 'endpoints' | null
  /** In-cluster: client pods per node name (nodes without any are left out); {} for clients outside the cluster. */
  byNode: Record<string, number>
  /** In-cluster: the node of each client address, for the first MAX_MATRIX_CLIENTS in address order (those of stickiness.matrix); {} for clients outside the cluster. */
  nodeByClient: Record<string, string>
  /** In-cluster: the share of all pods' requests that came from client pods on the serving pod's own node (1 under internalTrafficPolicy Local); null for clients outside the cluster or when nothing was counted. */
  sameNodeShare: number | null
  /** Balancing decisions that sent a client pod to itself (clientPods `endpoints`: hairpin, which kube-proxy masquerades, so the pod sees its node's address); 0 otherwise. */
  hairpinDecisions: number
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

/** What the front load balancer did. */
export interface LoadBalancerResult {
  /** The preset its settings started from (`aws-nlb`, `aws-clb`, `gcp-l4`, `azure-lb`, `metallb-l2`); the scenario may override any field, and the fields here are what ran. */
  preset: string
  /** Where the preset came from: `scenario`, `default`, or `file: …` naming what in the manifests implied it (an annotation, spec.loadBalancerClass, MetalLB objects). Absent from older results. */
  presetSource?: string
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
  /** What `byNode` counts: `connections` (L4), `requests` (least-outstanding) or `flows` (a UDP Service: client address and port, counted once on its first measured datagram). Absent from older results (connections or requests, by algorithm). */
  unit?: 'connections' | 'requests' | 'flows'
  /** Connections (L4), requests (least-outstanding) or UDP flows sent to each node in the measured phase. */
  byNode: Record<string, number>
  /** Refused because no node was healthy (allUnhealthy: refuse): connections, requests, or a UDP Service's datagrams. */
  refused: number
  /** UDP only: seconds a flow lives without a datagram either way (the NLB's fixed 120). Absent for TCP. */
  udpIdleTimeoutSeconds?: number
  /** Health transitions, seconds since the measured phase began. */
  events: {
    /** When the node's health changed, seconds since the measured phase began (negative: during warm-up). */
    tSec: number
    /** The node whose health changed. */
    node: string
    /** True: the node came back (healthyThreshold checks passed in a row); false: it was taken out (unhealthyThreshold failed in a row). */
    healthy: boolean
  }[]
  /** The relay that moved its bytes; null for a UDP Service (datagrams, no relay mode). Absent in results written before it was reported. */
  relay?: RelayName | null
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

/** Error kinds, as results report them. */
export const ERROR_KINDS = ['connect-refused', 'reset', 'timeout', 'http-5xx', 'other'] as const

/**
 * What went wrong with a request: `connect-refused` (ECONNREFUSED), `reset` (ECONNRESET, EPIPE),
 * `timeout` (no answer within load.requestTimeoutMs, or ETIMEDOUT), `http-5xx` (a response with
 * status ≥ 500), `other` (4xx responses and every other socket error), as the load generator
 * classifies them.
 */
export type ErrorKind = (typeof ERROR_KINDS)[number]
