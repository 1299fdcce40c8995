/**
 * The one interface every balancing algorithm implements (STYLE.md §2). Balancers are pure:
 * no sockets, no timers, no Date.now(); randomness comes from an injected seeded rng.
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
  /** Relative weight for weighted algorithms. @default 1 */
  weight?: number
}

/** What a balancer may look at to make one pick. */
export interface PickContext {
  /** Source address of the client connection (what IPVS `sh` hashes). */
  clientIp: string
  /** Source port of the client connection. */
  clientPort: number
}

/** A balancing algorithm with its own state (one per node proxy: nodes decide independently). */
export interface Balancer {
  /** Registry name, e.g. `ip-hash`. */
  readonly name: string
  /** Endpoint for this connection or request, or undefined when none is ready. */
  pick(ctx: PickContext): Endpoint | undefined
  /** The connection or request given to `ep` by `pick` has ended (least-conn counts these). */
  release(ep: Endpoint): void
  /** The ready set changed (scale, kill, readiness flip). Must be cheap. */
  update(ready: readonly Endpoint[]): void
}

/** Options every factory accepts. */
export interface BalancerOptions {
  /** Uniform random numbers in [0, 1); seeded by the caller. */
  rng: () => number
}
