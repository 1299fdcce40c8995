/**
 * The one interface every balancing algorithm implements (STYLE.md §2). Balancers are pure:
 * no sockets, no timers, no Date.now(); randomness comes from an injected seeded rng and time
 * from an injected clock.
 */
import type { AlgorithmName, Endpoint, SchedulerFlags } from '../model/kube-proxy.ts'

/** What a balancer may look at to make one pick. */
export interface PickContext {
  /** Source address of the client connection (what IPVS `sh` hashes). */
  clientIp: string
  /** Source port of the client connection (hashed by `sh-port` / `mh-port`). */
  clientPort: number
  /** Destination address the client connected to (what IPVS `dh` hashes): the node's address. */
  localIp: string
}

/** A balancing algorithm with its own state (one per node proxy: nodes decide independently). */
export interface Balancer {
  /** Registry name, e.g. `ip-hash`. */
  readonly name: AlgorithmName
  /** Userspace proxy semantics: when a connect to the picked endpoint fails, pick again. */
  readonly retryOnConnectFailure?: boolean
  /** Endpoint for this connection or request, or undefined when none is available. */
  pick(ctx: PickContext): Endpoint | undefined
  /** The connection or request given to `ep` has ended (connection-counting schedulers). */
  release(ep: Endpoint): void
  /** `ep` got a connection without `pick` (session affinity): count it like a pick. */
  acquire?(ep: Endpoint): void
  /** The endpoint list changed (scale, kill, readiness flip, weight change). Must be cheap. */
  update(endpoints: readonly Endpoint[]): void
}

/** Options every factory accepts. */
export interface BalancerOptions {
  /** Uniform random numbers in [0, 1); seeded by the caller. */
  rng: () => number
  /** Seed for hash keys (Maglev permutations). @default 0 */
  seed?: number
  flags?: SchedulerFlags
}

/** Weight of an endpoint (1 when unset). */
export function weightOf(ep: Endpoint): number {
  return ep.weight ?? 1
}

/** Endpoints that may take new connections (weight > 0). */
export function available(endpoints: readonly Endpoint[]): Endpoint[] {
  return endpoints.filter((ep) => weightOf(ep) > 0)
}
