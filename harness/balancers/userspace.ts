import type { Balancer, BalancerOptions } from './types.ts'
import { createRoundRobin } from './round-robin.ts'

/** Options for {@link createUserspace}. */
export type UserspaceOptions = Partial<BalancerOptions>

/**
 * kube-proxy `userspace` mode (removed in 1.26): round robin in a userspace proxy, which retries
 * the next endpoint when a connect fails (the proxy sees the failure; iptables and IPVS do not).
 */
export function createUserspace(opts: UserspaceOptions = {}): Balancer {
  const rr = createRoundRobin(opts)
  return { ...rr, name: 'userspace', retryOnConnectFailure: true }
}
