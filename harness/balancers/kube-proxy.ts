/**
 * The balancer a node's kube-proxy runs for a Service, by mode: in ipvs mode the scheduler inside
 * the node's IPVS virtual service (kernel list order, connection table, graceful termination,
 * ClientIP persistence: ipvs-service.ts); in the other modes the algorithm, with iptables-style
 * ClientIP affinity around it (session-affinity.ts).
 */
import { createBalancer } from './registry.ts'
import { createConnTable } from './conn-count.ts'
import { createIpvsService, type IpvsService } from './ipvs-service.ts'
import { withSessionAffinity } from './session-affinity.ts'
import type { Balancer } from './types.ts'
import { createRng, deriveSeed } from '../util/rng.ts'
import type { AlgorithmName, IpvsTimeouts, ProxyMode, SchedulerFlags } from '../model/kube-proxy.ts'

/** Options for {@link createKubeProxyBalancer}. */
export interface KubeProxyBalancerOptions {
  mode: ProxyMode
  algorithm: AlgorithmName
  flags: SchedulerFlags
  /** Seed of this node's random choices (iptables and nftables picks, the order IPVS real servers are added in). */
  seed: number
  /** Seed of hash keys, the same on every node (Maglev). */
  hashSeed: number
  /** sessionAffinity ClientIP timeout, seconds; null for None. */
  affinityTimeoutSeconds: number | null
  timeouts: IpvsTimeouts
  /** Clock, ms. */
  now: () => number
}

/** A node's balancer; `realServers` is there in ipvs mode. */
export type NodeBalancer = Balancer & Partial<Pick<IpvsService, 'realServers'>>

/** The balancer of one node's kube-proxy. */
export function createKubeProxyBalancer(o: KubeProxyBalancerOptions): NodeBalancer {
  const base = { rng: createRng(o.seed), seed: o.hashSeed, flags: o.flags, now: o.now, timeouts: o.timeouts }
  if (o.mode === 'ipvs') {
    const conns = createConnTable({ now: o.now, timeouts: o.timeouts })
    const scheduler = createBalancer(o.algorithm, { ...base, conns })
    return createIpvsService({ scheduler, conns, now: o.now, rng: createRng(deriveSeed(o.seed, 'ipvs-order')), persistenceSeconds: o.affinityTimeoutSeconds })
  }
  const b = createBalancer(o.algorithm, base)
  return o.affinityTimeoutSeconds === null ? b : withSessionAffinity(b, { timeoutSeconds: o.affinityTimeoutSeconds, now: o.now })
}
