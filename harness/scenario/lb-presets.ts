/**
 * Cloud load balancers in front of NodePorts, with the defaults in ../shared/K8S.md ("Cloud load
 * balancers in front of NodePort"). Any field can be overridden in `service.loadBalancer`.
 */

import type { LbPresetName, LbSettings } from '../model/load-balancer.ts'

/** Each preset's settings (tls is off unless the scenario asks). */
export const LB_PRESETS = {
  // AWS Load Balancer Controller NLB, instance targets: flow hash, interval 10 s, 3/3, client IP kept, fail open.
  'aws-nlb': {
    algorithm: 'flow-hash',
    healthCheck: { intervalSeconds: 10, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 },
    allUnhealthy: 'fail-open',
    preserveClientIp: true,
    leaderFailoverSeconds: 0,
  },
  // In-tree Classic ELB, TCP listener: round robin, interval 10, timeout 5, healthy 2, unhealthy 6; a proxy.
  'aws-clb': {
    algorithm: 'round-robin',
    healthCheck: { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 6 },
    allUnhealthy: 'refuse',
    preserveClientIp: false,
    leaderFailoverSeconds: 0,
  },
  // GCP passthrough L4: hash, interval 8, timeout 1, healthy 1, unhealthy 3, client IP kept.
  'gcp-l4': {
    algorithm: 'flow-hash',
    healthCheck: { intervalSeconds: 8, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 3 },
    allUnhealthy: 'fail-open',
    preserveClientIp: true,
    leaderFailoverSeconds: 0,
  },
  // Azure Standard Load Balancer as cloud-provider-azure sets it up: 5-tuple hash; health probe every
  // 5 s, probeThreshold 2 for both directions (consts.go HealthProbeDefaultProbeInterval = 5,
  // HealthProbeDefaultNumOfProbe); Azure's probe has no timeout of its own, so the interval is the
  // timeout; all probes down: no new flows (noHealthyBackendsBehavior AllProbedDown); client IP kept.
  'azure-lb': {
    algorithm: 'flow-hash',
    healthCheck: { intervalSeconds: 5, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
    allUnhealthy: 'refuse',
    preserveClientIp: true,
    leaderFailoverSeconds: 0,
  },
  // MetalLB L2: the leader node answers ARP for the address and receives everything; memberlist
  // moves it when the node fails (about 10 s). No backend health checks of its own.
  'metallb-l2': {
    algorithm: 'leader',
    healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 10 },
    allUnhealthy: 'refuse',
    preserveClientIp: true,
    leaderFailoverSeconds: 10,
  },
} as const satisfies Record<LbPresetName, Omit<LbSettings, 'preset' | 'tls'>>

/**
 * A preset's health check under externalTrafficPolicy Local where it differs from its default:
 * the AWS Load Balancer Controller gives instance targets of a Local Service HTTP /healthz on
 * healthCheckNodePort with interval 10 s, timeout 6 s, healthy 2, unhealthy 2
 * (kubernetes-sigs/aws-load-balancer-controller pkg/service/model_builder.go,
 * defaultHealthCheck*ForInstanceModeLocal; used by model_build_target_group.go
 * buildTargetGroupHealthCheckConfigForInstanceModeLocal).
 */
export const LB_LOCAL_HEALTH_CHECKS: Partial<Record<LbPresetName, LbSettings['healthCheck']>> = {
  'aws-nlb': { intervalSeconds: 10, timeoutSeconds: 6, healthyThreshold: 2, unhealthyThreshold: 2 },
}

