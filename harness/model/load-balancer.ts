/** The front load balancer of a LoadBalancer Service, as resolved. Types and constants only. */

/** How the front load balancer picks a node. */
export const LB_ALGORITHMS = ['flow-hash', 'round-robin', 'least-outstanding', 'leader'] as const
export type LbAlgorithm = (typeof LB_ALGORITHMS)[number]

/** Cloud load balancer presets (their settings: scenario/lb-presets.ts). */
export const LB_PRESET_NAMES = ['aws-nlb', 'aws-clb', 'gcp-l4', 'azure-lb', 'metallb-l2'] as const
export type LbPresetName = (typeof LB_PRESET_NAMES)[number]

/**
 * The NLB's idle timeout for a UDP flow, ms: a datagram after it is a new flow, hashed afresh. AWS
 * sets it to 120 s and it cannot be changed (only TCP's became configurable): Elastic Load
 * Balancing, Network Load Balancers, "Connection idle timeout" (awsdocs/elb-network-load-balancers-
 * user-guide doc_source/network-load-balancers.md) and the AWS blog "Introducing NLB TCP
 * configurable idle timeout" (2024).
 */
export const NLB_UDP_IDLE_TIMEOUT_MS = 120_000

/** A front load balancer's behaviour, fully resolved. */
export interface LbSettings {
  preset: LbPresetName
  /** flow-hash: hash of the connection's 4-tuple (NLB, GCP); round-robin per connection (CLB TCP);
   * least-outstanding per request (ALB option, L7); leader: one node takes everything (MetalLB L2). */
  algorithm: LbAlgorithm
  healthCheck: { intervalSeconds: number; timeoutSeconds: number; healthyThreshold: number; unhealthyThreshold: number }
  allUnhealthy: 'fail-open' | 'refuse'
  preserveClientIp: boolean
  /** metallb-l2 only: seconds before the address moves to another node. */
  leaderFailoverSeconds: number
  /** Terminate TLS at the load balancer (self-signed certificate made at run time); plain behind. */
  tls: boolean
}
