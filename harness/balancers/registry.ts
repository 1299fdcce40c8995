import type { Balancer, BalancerOptions } from './types.ts'
import { createRoundRobin } from './round-robin.ts'
import { createRandom } from './random.ts'
import { createIpHash } from './ip-hash.ts'
import { createLeastConn } from './least-conn.ts'

/** Every balancer by its scenario name. A new algorithm is one file and one line here. */
export const registry = {
  'round-robin': createRoundRobin,
  random: createRandom,
  'ip-hash': createIpHash,
  'least-conn': createLeastConn,
} satisfies Record<string, (opts: BalancerOptions) => Balancer>

/** A balancer's scenario name. */
export type BalancerName = keyof typeof registry

/** All balancer names, in documentation order. */
export const BALANCER_NAMES = Object.keys(registry) as [BalancerName, ...BalancerName[]]

/** A fresh balancer of the named algorithm. */
export function createBalancer(name: BalancerName, opts: BalancerOptions): Balancer {
  return registry[name](opts)
}

/** What each algorithm reads from a connection (haproxy BE_LB_NEED_ADDR): `ip-hash` needs distinct client addresses. */
export const NEEDS_CLIENT_ADDRESS: Readonly<Record<BalancerName, boolean>> = {
  'round-robin': false,
  random: false,
  'ip-hash': true,
  'least-conn': false,
}
