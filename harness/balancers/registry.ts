import type { Balancer, BalancerOptions } from './types.ts'
import type { AlgorithmName, IpvsScheduler, ProxyMode } from '../model/kube-proxy.ts'
import { createRoundRobin } from './round-robin.ts'
import { createRandom } from './random.ts'
import { createIpHash } from './ip-hash.ts'
import { createLeastConn } from './least-conn.ts'
import { createNftables } from './nftables.ts'
import { createWeightedRoundRobin } from './weighted-round-robin.ts'
import { createWeightedLeastConn } from './weighted-least-conn.ts'
import { createDestinationHash } from './destination-hash.ts'
import { createShortestExpectedDelay } from './shortest-expected-delay.ts'
import { createNeverQueue } from './never-queue.ts'
import { createMaglev } from './maglev.ts'
import { createUserspace } from './userspace.ts'

/** Every balancing algorithm by name (= its file name). A new algorithm is one file and one line here. */
export const registry = {
  'round-robin': createRoundRobin,
  random: createRandom,
  'ip-hash': createIpHash,
  'least-conn': createLeastConn,
  nftables: createNftables,
  'weighted-round-robin': createWeightedRoundRobin,
  'weighted-least-conn': createWeightedLeastConn,
  'destination-hash': createDestinationHash,
  'shortest-expected-delay': createShortestExpectedDelay,
  'never-queue': createNeverQueue,
  maglev: createMaglev,
  userspace: createUserspace,
} satisfies Record<AlgorithmName, (opts: BalancerOptions) => Balancer>

/** A fresh balancer of the named algorithm. */
export function createBalancer(name: AlgorithmName, opts: BalancerOptions): Balancer {
  return registry[name](opts)
}

const BY_SCHEDULER: Record<IpvsScheduler, AlgorithmName> = {
  rr: 'round-robin',
  wrr: 'weighted-round-robin',
  lc: 'least-conn',
  wlc: 'weighted-least-conn',
  sh: 'ip-hash',
  dh: 'destination-hash',
  sed: 'shortest-expected-delay',
  nq: 'never-queue',
  mh: 'maglev',
}

/** The algorithm kube-proxy runs for a mode (and IPVS scheduler). */
export function algorithmFor(mode: ProxyMode, scheduler: IpvsScheduler = 'rr'): AlgorithmName {
  switch (mode) {
    case 'iptables':
      return 'random'
    case 'nftables':
      return 'nftables'
    case 'userspace':
      return 'userspace'
    case 'ipvs':
      return BY_SCHEDULER[scheduler]
  }
}

/** Whether an algorithm's picks depend on live load (no static prediction of shares). */
export const LOAD_AWARE: ReadonlySet<AlgorithmName> = new Set(['least-conn', 'weighted-least-conn', 'shortest-expected-delay', 'never-queue'])

/** Algorithms that hash the client address (without sh-port/mh-port, clients are the unit of choice). */
export const CLIENT_HASHING: ReadonlySet<AlgorithmName> = new Set(['ip-hash', 'maglev'])
