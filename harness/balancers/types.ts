/**
 * The one interface every balancing algorithm implements (STYLE.md §2). Balancers are pure:
 * no sockets, no timers, no Date.now(); randomness comes from an injected seeded rng and time
 * from an injected clock.
 */

/** A pod a balancer can pick. */
export interface Endpoint {
  /** Pod name, e.g. `pod-1`. */
  name: string
  /** Pod address (a 127.x address). */
  address: string
  /** Pod port. */
  port: number
  /** Node the pod runs on. */
  node: string
  /**
   * IPVS weight. 0 means quiesced: listed but given no new connections (what kube-proxy does to a
   * terminating endpoint before deleting it). @default 1
   */
  weight?: number
  /** Being deleted but still serving (KEP-1669): used only when no ready endpoint is left. */
  terminating?: boolean
}

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
  readonly name: string
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

/** IPVS scheduler flags (ipvsadm -b). */
export interface SchedulerFlags {
  /** `sh-port` / `mh-port`: hash the source port too. */
  hashPort?: boolean
  /** `sh-fallback` / `mh-fallback`: when the hashed endpoint is unavailable, try others. */
  fallback?: boolean
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
