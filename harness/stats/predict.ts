/**
 * What the configuration predicts: the share of balancing decisions each pod should get, given
 * what each node's proxy observed (its decisions, the client addresses it balanced, the most
 * connections it held open at once, and in ipvs mode its real servers in the kernel's list order).
 * Pure. Worked out from each algorithm's description, not by running a balancer: where a split
 * needs the simulator itself (least-connection schedulers under concurrent connections), there is
 * no prediction, and the basis says why.
 *
 * The unit of decision depends on the configuration, because a chi-squared test is only valid
 * over independent choices:
 * - `clients`: hashing on the client address (ip-hash, maglev without the port) or
 *   sessionAffinity ClientIP: a client address is placed once; its later connections follow it.
 *   Counted as distinct (client, pod) pairs.
 * - `connections`: L4 (`balancing: connection`): one choice per new connection.
 * - `requests`: L7 (`balancing: request`): one choice per request.
 * - `flows`: a UDP Service: one choice per new conntrack entry (client address and port).
 *
 * Per receiving node the eligible pods are all pods with weight > 0 (externalTrafficPolicy
 * Cluster) or that node's own (Local), in the node's list order.
 */
import { CLIENT_HASHING, LOAD_AWARE } from '../balancers/registry.ts'
import { buildShTable, shLookup } from '../balancers/ip-hash.ts'
import { buildMaglevTable, mhLookup, mhSlot } from '../balancers/maglev.ts'
import { dhBucket } from '../balancers/destination-hash.ts'
import { TCP_TIME_WAIT_MS } from '../balancers/conn-count.ts'
import type { AlgorithmName, Endpoint, SchedulerFlags } from '../model/kube-proxy.ts'
import type { DecisionUnit } from '../model/summaries.ts'

/** A pod as the predictor sees it. */
export interface PredictPod extends Endpoint {
  /** Identical pods share this key (latency, size, error rate). */
  behaviourKey: string
}

/**
 * What one node decided, observed by its proxy. With unit `clients` a decision is one client
 * address placed by one node (a client reaching two nodes is placed twice).
 */
export interface NodeDecisions {
  name: string
  address: string
  /** Decisions made (connections or requests). */
  decisions: number
  /** Client addresses whose traffic this node balanced, in first-seen order. */
  clients: string[]
  /** Most client connections the node's proxy held open at once since it started; undefined when not known. */
  peakConnections?: number
  /** ipvs mode: the node's real servers in the kernel's list order (pod names); undefined: pod order. */
  realServers?: string[]
}

/** Inputs of {@link predictShares}. */
export interface PredictInput {
  algorithm: AlgorithmName
  flags: SchedulerFlags
  /** Seed of hash keys (Maglev), as the proxies use it. */
  hashSeed: number
  balancing: 'connection' | 'request'
  sessionAffinity: boolean
  externalTrafficPolicy: 'Cluster' | 'Local'
  pods: PredictPod[]
  nodes: NodeDecisions[]
  /** From the node proxies' start to the end of the measured phase, ms: whether closed connections' entries can lapse within it. @default 0 */
  runMs?: number
  /** The Service's protocol: a UDP Service decides per flow. @default 'TCP' */
  protocol?: 'TCP' | 'UDP'
}

/** A prediction. */
export interface Prediction {
  unit: DecisionUnit
  /** Expected decisions per pod (pod order); null when no static prediction exists. */
  expectedCounts: number[] | null
  /** Expected share per pod (sums to 1); null when no static prediction exists. */
  expectedShares: number[] | null
  /** How the prediction was made, in words (or why there is none). */
  basis: string
}

/** The unit of decision for a configuration. */
export function decisionUnit(i: Pick<PredictInput, 'algorithm' | 'flags' | 'balancing' | 'sessionAffinity' | 'protocol'>): DecisionUnit {
  const clientHash = CLIENT_HASHING.has(i.algorithm) && i.flags.hashPort !== true
  if (clientHash || i.sessionAffinity) return 'clients'
  // A UDP Service has no connection: one pick per new conntrack entry (a flow).
  if (i.protocol === 'UDP') return 'flows'
  return i.balancing === 'connection' ? 'connections' : 'requests'
}

const weight = (ep: Endpoint) => ep.weight ?? 1

/** Expected counts per pod name at one node, or the reason there are none. */
type Spread = Map<string, number> | { none: string }

/** n decisions in proportion to `w` over `pods`. */
function proportional(pods: readonly Endpoint[], n: number, w: (ep: Endpoint) => number): Map<string, number> {
  const total = pods.reduce((a, ep) => a + w(ep), 0)
  return new Map(pods.map((ep) => [ep.name, total === 0 ? 0 : (n * w(ep)) / total]))
}

/**
 * lc, wlc, sed and nq when the node never held two connections open at once: at each pick no
 * connection is active, and every earlier one left an inactive (TIME_WAIT) entry that has not lapsed.
 * lc's cost (active << 8) + inactive is then the count of earlier picks: the fewest wins, ties to
 * the first in list order, so the picks rotate (n/k each); wlc divides that by the weight, so the
 * picks follow the weights; sed's (active + 1)/weight and nq's idle test ignore inactive entries,
 * so every pick is the same: the largest weight first in list order (sed), the first in list order (nq).
 */
function serialLeastConn(a: AlgorithmName, eligible: readonly Endpoint[], n: number): Map<string, number> {
  if (a === 'least-conn') return proportional(eligible, n, () => 1)
  if (a === 'weighted-least-conn') return proportional(eligible, n, weight)
  const top = a === 'never-queue' ? eligible[0] : eligible.reduce((best, ep) => (weight(ep) > weight(best) ? ep : best), eligible[0] as Endpoint)
  return new Map(eligible.map((ep) => [ep.name, ep === top ? n : 0]))
}

/** Why lc, wlc, sed and nq have no static prediction at this node, or null when they have one. */
function leastConnWithheld(input: PredictInput, node: NodeDecisions): string | null {
  if (input.balancing === 'request') return 'in request mode each pick depends on the requests outstanding at that moment'
  if (input.sessionAffinity) return 'with ClientIP persistence, the connections a template sends back change the counts new clients are placed by'
  if (node.peakConnections === undefined || node.peakConnections > 1) {
    return `under concurrent connections (${node.name} held ${node.peakConnections ?? 'an unknown number of'} at once) each pick depends on which connections are open and which closed ones' entries are still counted at that moment: only the simulator itself could tell`
  }
  if ((input.runMs ?? 0) >= TCP_TIME_WAIT_MS) return 'the run is longer than TIME_WAIT (2 min): closed connections stop counting while it runs'
  return null
}

/** Expected counts over one node's `listed` pods (kernel list order; `eligible`: those with weight > 0) for its `n` decisions. */
function spread(input: PredictInput, node: NodeDecisions, listed: readonly Endpoint[], n: number, unit: DecisionUnit): Spread {
  const eligible = listed.filter((ep) => weight(ep) > 0)
  if (n === 0 || eligible.length === 0) return new Map()
  const a = input.algorithm
  if (a === 'random' || a === 'nftables') return proportional(eligible, n, () => 1)
  if (a === 'round-robin' || a === 'userspace') {
    // Exact rotation from the list head: the first n mod k pods get one more.
    const k = eligible.length
    return new Map(eligible.map((ep, i) => [ep.name, Math.floor(n / k) + (i < n % k ? 1 : 0)]))
  }
  if (a === 'weighted-round-robin') return proportional(eligible, n, weight) // exactly w/gcd per cycle
  if (a === 'destination-hash') {
    // ip_vs_dh_reassign: bucket b → the (b mod k)-th listed server; weight 0 there: no destination.
    const ep = listed[dhBucket(node.address) % listed.length] as Endpoint
    return new Map([[ep.name, weight(ep) > 0 ? n : 0]])
  }
  if (CLIENT_HASHING.has(a)) {
    const table = a === 'ip-hash' ? buildShTable(listed) : buildMaglevTable(listed, input.hashSeed)
    const fallback = input.flags.fallback === true
    if (unit === 'clients') {
      const out = new Map<string, number>()
      for (const c of node.clients) {
        const ep = a === 'ip-hash' ? shLookup(table, c, 0, fallback) : mhLookup(table, (off) => mhSlot(c, 0, off, input.hashSeed), fallback)
        if (ep !== undefined) out.set(ep.name, (out.get(ep.name) ?? 0) + 1)
      }
      return out
    }
    // Hashing the port too: each connection lands on a bucket or slot uniformly.
    const usable = table.filter((ep): ep is Endpoint => ep !== undefined && weight(ep) > 0)
    const slots = new Map<string, number>()
    for (const ep of usable) slots.set(ep.name, (slots.get(ep.name) ?? 0) + 1)
    return new Map([...slots].map(([name, s]) => [name, (n * s) / usable.length]))
  }
  if (LOAD_AWARE.has(a)) {
    const why = leastConnWithheld(input, node)
    return why === null ? serialLeastConn(a, eligible, n) : { none: `${a}: no static prediction: ${why}` }
  }
  return { none: `${a}: no static prediction` }
}

function describe(input: PredictInput, unit: DecisionUnit): string {
  const scope = input.externalTrafficPolicy === 'Local' ? 'local pods of each receiving node' : 'all pods'
  const a = input.algorithm
  const how =
    a === 'random' || a === 'nftables'
      ? 'uniform'
      : a === 'round-robin' || a === 'userspace'
        ? 'an exact rotation from the head of each node’s list (off by one per pod where the warm-up left it elsewhere)'
        : a === 'weighted-round-robin'
          ? 'in proportion to weight (exactly weight/gcd per cycle)'
          : LOAD_AWARE.has(a)
            ? 'as the kernel’s cost picks when no two connections overlap and no closed connection’s TIME_WAIT entry lapses (lc: rotation; wlc: by weight; sed: the largest weight; nq: the first listed)'
            : a === 'destination-hash'
              ? 'one pod per receiving node (its address’s bucket, ip_vs_dh.c)'
              : unit === 'clients'
                ? `each client address looked up in the table ${a === 'ip-hash' ? 'ip_vs_sh.c' : 'ip_vs_mh.c'} builds from the node’s list (the proxies’ table code, which test/balancers checks against hand-worked kernel tables)`
                : 'each connection uniformly over the table’s buckets or slots'
  return `${unit} per pod: ${how} over ${scope}, given each node's ${unit}`
}

/** A node's pods in its list order: the kernel's (observed, ipvs) or pod order. */
function inListOrder(pods: readonly PredictPod[], realServers: readonly string[] | undefined): PredictPod[] {
  if (realServers === undefined) return [...pods]
  const at = new Map(realServers.map((name, i) => [name, i]))
  return [...pods].filter((p) => at.has(p.name)).sort((x, y) => (at.get(x.name) as number) - (at.get(y.name) as number))
}

/** Predicted decisions per pod for the configuration and what each node observed. */
export function predictShares(input: PredictInput): Prediction {
  const unit = decisionUnit(input)
  const totals = new Map<string, number>()
  for (const node of input.nodes) {
    const inScope = input.pods.filter((p) => input.externalTrafficPolicy === 'Cluster' || p.node === node.name)
    const n = unit === 'clients' ? node.clients.length : node.decisions
    // Under affinity over a non-hashing scheduler, the scheduler places each new client: n = clients.
    const s = spread(input, node, inListOrder(inScope, node.realServers), n, unit)
    if (!(s instanceof Map)) return { unit, expectedCounts: null, expectedShares: null, basis: `${unit} per pod: ${s.none}` }
    for (const [k, v] of s) totals.set(k, (totals.get(k) ?? 0) + v)
  }
  const counts = input.pods.map((p) => totals.get(p.name) ?? 0)
  const sum = counts.reduce((a, b) => a + b, 0)
  return {
    unit,
    expectedCounts: counts,
    expectedShares: sum === 0 ? input.pods.map(() => 1 / Math.max(1, input.pods.length)) : counts.map((c) => c / sum),
    basis: describe(input, unit),
  }
}
