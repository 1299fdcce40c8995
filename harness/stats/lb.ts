/**
 * The front load balancer's part of a variant's results: its configuration, decisions per node,
 * refusals and health transitions, and the health-check view failover statistics need. Pure.
 */
import { round3 } from './round.ts'
import { NLB_UDP_IDLE_TIMEOUT_MS } from '../model/load-balancer.ts'
import type { VariantResult } from '../model/results.ts'
import type { FailoverInput } from './failover.ts'
import type { VariantMeasurements } from './types.ts'
import { lbHealthCheckCanPass } from '../lb/health.ts'

/** The results' loadBalancer section; null without a front load balancer. */
export function loadBalancerSummary(m: Pick<VariantMeasurements, 'variant' | 'topology' | 'lb'>): VariantResult['loadBalancer'] {
  const lb = m.lb
  const cfg = m.variant.service.loadBalancer
  if (lb === undefined || cfg === null) return null
  return {
    preset: cfg.preset,
    presetSource: m.variant.lbPresetSource ?? 'default',
    algorithm: cfg.algorithm,
    preserveClientIp: cfg.preserveClientIp,
    allUnhealthy: cfg.allUnhealthy,
    tls: cfg.tls,
    healthCheck: { ...cfg.healthCheck },
    unit: m.variant.service.protocol === 'UDP' ? 'flows' : cfg.algorithm === 'least-outstanding' ? 'requests' : 'connections',
    byNode: Object.fromEntries(m.topology.nodes.map((n) => [n.name, lb.byNode[n.name] ?? 0])),
    refused: lb.refused,
    ...(m.variant.service.protocol === 'UDP' ? { udpIdleTimeoutSeconds: NLB_UDP_IDLE_TIMEOUT_MS / 1000 } : {}),
    events: lb.events.map((e) => ({ tSec: round3((e.atMs - lb.epochMs) / 1000), node: e.node, healthy: e.healthy })),
    relay: lb.relay,
  }
}

/** The load balancer's health checks and transitions (ms since the epoch) for failoverStats; undefined without one. */
export function lbHealth(m: Pick<VariantMeasurements, 'variant' | 'lb'>): FailoverInput['lb'] {
  const lb = m.lb
  const cfg = m.variant.service.loadBalancer
  // Client pods at the ClusterIP do not pass the load balancer: its checks decide nothing of theirs.
  if (lb === undefined || cfg === null || m.variant.load.from === 'cluster') return undefined
  return {
    healthCheck: cfg.healthCheck,
    events: lb.events.map((e) => ({ node: e.node, healthy: e.healthy, tMs: e.atMs - lb.epochMs })),
    checkCanPass: lbHealthCheckCanPass(m.variant.service),
  }
}
