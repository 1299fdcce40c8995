/**
 * What the configuration predicts: the share of balancing decisions each pod should get, given
 * how many decisions each node made. Pure.
 *
 * The unit of decision depends on the configuration, because a chi-squared test is only valid
 * over independent choices:
 * - `clients`: hashing on the client address (ip-hash, maglev without the port) or
 *   sessionAffinity ClientIP: a client address is placed once; its later connections follow it.
 *   Counted as distinct (client, pod) pairs.
 * - `connections`: L4 (`balancing: connection`): one choice per new connection.
 * - `requests`: L7 (`balancing: request`): one choice per request.
 *
 * Per receiving node the eligible pods are all pods with weight > 0 (externalTrafficPolicy
 * Cluster) or that node's own (Local), and the node's decisions are spread as its kube-proxy
 * would: uniformly for iptables/nftables (which ignore weights); exactly, by running the same
 * pure balancer, for deterministic schedulers (rr, wrr, userspace, dh, sh, mh); in proportion to
 * weight for load-aware schedulers (lc, wlc, sed, nq), which is only a prediction when the
 * eligible pods are identical, and is withheld otherwise.
 */
import { createBalancer, CLIENT_HASHING, LOAD_AWARE } from '../balancers/registry.ts'
import { buildShTable } from '../balancers/ip-hash.ts'
import { buildMaglevTable } from '../balancers/maglev.ts'
import { createRng } from '../util/rng.ts'
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
}

/** A prediction. */
export interface Prediction {
  unit: DecisionUnit
  /** Expected decisions per pod (pod order); null when no static prediction exists. */
  expectedCounts: number[] | null
  /** Expected share per pod (sums to 1); null when no static prediction exists. */
  expectedShares: number[] | null
  /** How the prediction was made, in words. */
  basis: string
}

/** The unit of decision for a configuration. */
export function decisionUnit(i: Pick<PredictInput, 'algorithm' | 'flags' | 'balancing' | 'sessionAffinity'>): DecisionUnit {
  const clientHash = CLIENT_HASHING.has(i.algorithm) && i.flags.hashPort !== true
  if (clientHash || i.sessionAffinity) return 'clients'
  return i.balancing === 'connection' ? 'connections' : 'requests'
}

const weight = (ep: Endpoint) => ep.weight ?? 1

/** Expected counts over `eligible` for `n` decisions at one node, or null (no static prediction). */
function spread(input: PredictInput, node: NodeDecisions, eligible: PredictPod[], n: number, unit: DecisionUnit): Map<string, number> | null {
  const out = new Map<string, number>()
  if (n === 0 || eligible.length === 0) return out
  const add = (name: string, x: number) => out.set(name, (out.get(name) ?? 0) + x)
  const a = input.algorithm
  const simulate = () => {
    const b = createBalancer(a, { rng: createRng(0), seed: input.hashSeed, flags: input.flags })
    b.update(eligible)
    return b
  }
  if (a === 'random' || a === 'nftables') {
    for (const ep of eligible) add(ep.name, n / eligible.length)
  } else if (a === 'round-robin' || a === 'userspace' || a === 'weighted-round-robin') {
    const b = simulate()
    for (let k = 0; k < n; k++) add(b.pick({ clientIp: '', clientPort: 0, localIp: node.address })!.name, 1)
  } else if (a === 'destination-hash') {
    const ep = simulate().pick({ clientIp: '', clientPort: 0, localIp: node.address })
    if (ep !== undefined) add(ep.name, n)
  } else if (CLIENT_HASHING.has(a) && unit === 'clients') {
    const b = simulate()
    for (const c of node.clients) {
      const ep = b.pick({ clientIp: c, clientPort: 0, localIp: node.address })
      if (ep !== undefined) add(ep.name, 1)
    }
  } else if (CLIENT_HASHING.has(a)) {
    // Hashing the port too: each connection lands on a bucket/slot uniformly.
    const table = a === 'ip-hash' ? buildShTable(eligible) : buildMaglevTable(eligible, input.hashSeed)
    const usable = table.filter((ep): ep is Endpoint => ep !== undefined && weight(ep) > 0)
    for (const ep of usable) add(ep.name, n / usable.length)
  } else if (LOAD_AWARE.has(a)) {
    if (new Set(eligible.map((p) => p.behaviourKey)).size > 1) return null
    const w = a === 'least-conn' ? eligible.map(() => 1) : eligible.map(weight)
    const total = w.reduce((x, y) => x + y, 0)
    eligible.forEach((ep, i) => add(ep.name, (n * (w[i] as number)) / total))
  }
  return out
}

function describe(input: PredictInput, unit: DecisionUnit): string {
  const scope = input.externalTrafficPolicy === 'Local' ? 'local pods of each receiving node' : 'all pods'
  const a = input.algorithm
  const how =
    a === 'random' || a === 'nftables'
      ? 'uniform'
      : LOAD_AWARE.has(a)
        ? `${a === 'least-conn' ? 'uniform' : 'weight-proportional'} (load-aware scheduler; assumes identical pods)`
        : unit === 'clients' && CLIENT_HASHING.has(a)
          ? 'each client address hashed'
          : a === 'destination-hash'
            ? 'one pod per receiving node (destination hash)'
            : `exact ${a} sequence`
  return `${unit} per pod: ${how} over ${scope}, given each node's ${unit}`
}

/** Predicted decisions per pod for the configuration and what each node decided. */
export function predictShares(input: PredictInput): Prediction {
  const unit = decisionUnit(input)
  const eligibleAt = (node: string) =>
    input.pods.filter((p) => weight(p) > 0 && (input.externalTrafficPolicy === 'Cluster' || p.node === node))
  const totals = new Map<string, number>()
  for (const node of input.nodes) {
    const n = unit === 'clients' ? node.clients.length : node.decisions
    // Under affinity over a non-hashing scheduler, the scheduler places each new client: n = clients.
    const s = spread(input, node, eligibleAt(node.name), n, unit)
    if (s === null) {
      return { unit, expectedCounts: null, expectedShares: null, basis: `${unit} per pod: no static prediction (load-aware scheduler over pods that differ)` }
    }
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
