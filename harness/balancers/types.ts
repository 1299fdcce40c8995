/**
 * The one interface every balancing algorithm implements (STYLE.md §2). Balancers are pure:
 * no sockets, no timers, no Date.now(); randomness comes from an injected seeded rng and time
 * from an injected clock.
 */
import type { AlgorithmName, Endpoint, IpvsTimeouts, SchedulerFlags } from '../model/kube-proxy.ts'

/** What a balancer may look at to make one pick. */
export interface PickContext {
  /** Source address of the client connection (what IPVS `sh` hashes). */
  clientIp: string
  /** Source port of the client connection (hashed by `sh-port` / `mh-port`). */
  clientPort: number
  /** Destination address the client connected to (what IPVS `dh` hashes): the node's address. */
  localIp: string
  /**
   * Which dial this is for one client connection, from 0 (userspace proxy retries): from the second
   * on, ClientIP affinity is bypassed (pkg/proxy/userspace/proxysocket.go `TryConnectEndpoints`
   * sets sessionAffinityReset after a failed dial). @default 0
   */
  attempt?: number
}

/**
 * How a connection ended, as the proxy saw it, for the IPVS entry it leaves behind
 * (conn-count.ts `entryExpiryMs` works out the state and its timeout).
 */
export interface ConnectionEnd {
  /** `fin`: both sides closed; `reset`: a RST (or a socket error) ended it; `request`: an L7 request ended (no TCP entry stays). */
  how: 'fin' | 'reset' | 'request'
  /** The side whose FIN came first and how long before the close, ms; absent when unknown or both came at once. */
  firstFin?: { side: 'client' | 'pod'; msBeforeClose: number }
  /** The client's address (IPVS persistence templates are kept per client address). */
  clientIp?: string
}

/** A balancing algorithm with its own state (one per node proxy: nodes decide independently). */
export interface Balancer {
  /** Registry name, e.g. `ip-hash`. */
  readonly name: AlgorithmName
  /** Userspace proxy semantics: when a connect to the picked endpoint fails, pick again. */
  readonly retryOnConnectFailure?: boolean
  /** Endpoint for this connection or request, or undefined when none is available. */
  pick(ctx: PickContext): Endpoint | undefined
  /**
   * The connection or request given to `ep` has ended. A TCP connection's IPVS entry (`end.how`
   * fin or reset) stays inactive until its state's timeout lapses; after an L7 request (`request`,
   * or no `end`) nothing stays.
   */
  release(ep: Endpoint, end?: ConnectionEnd): void
  /** `ep` got a connection without `pick` (session affinity): count it like a pick. */
  acquire?(ep: Endpoint): void
  /** The endpoint list changed (scale, kill, readiness flip, weight change). Must be cheap. */
  update(endpoints: readonly Endpoint[]): void
}

/**
 * The IPVS connection entries of one node's kernel, per real server (conn-count.ts makes one):
 * active entries (ESTABLISHED) and inactive ones (any other TCP state) until they lapse.
 * Queries must not go back in time.
 */
export interface ConnTable {
  /** Active entries of `ep` (the kernel's activeconns). */
  active(ep: Endpoint): number
  /** Inactive entries of `ep` that have not lapsed by `atMs` (inactconns). @default atMs now */
  inactive(ep: Endpoint, atMs?: number): number
  /** ip_vs_dest_conn_overhead (include/net/ip_vs.h): (active << 8) + inactive. */
  overhead(ep: Endpoint): number
  /** A new connection (or L7 request) to `ep`: one more active entry. */
  open(ep: Endpoint): void
  /**
   * It ended: a connection's entry turns inactive until its state's timeout lapses, and the lapse
   * time (ms) is returned; after an L7 request (`request`, or no `end`) nothing stays: null.
   */
  close(ep: Endpoint, end?: ConnectionEnd): number | null
}

/** Options every factory accepts. */
export interface BalancerOptions {
  /** Uniform random numbers in [0, 1); seeded by the caller. */
  rng: () => number
  /** Seed for hash keys (Maglev permutations). @default 0 */
  seed?: number
  flags?: SchedulerFlags
  /** Clock in ms (balancers are pure: time is injected), for connection entries' timeouts. @default () => 0 */
  now?: () => number
  /** IPVS timeouts (FIN_WAIT is the one a closed connection's entry can end in). @default KERNEL_IPVS_TIMEOUTS */
  timeouts?: IpvsTimeouts
  /**
   * A connection table the caller owns (the IPVS service of a node, ipvs-service.ts): the scheduler
   * reads its counts and the owner opens and closes entries. @default the scheduler's own
   */
  conns?: ConnTable
}

/** Weight of an endpoint (1 when unset). */
export function weightOf(ep: Endpoint): number {
  return ep.weight ?? 1
}

/** Endpoints that may take new connections (weight > 0). */
export function available(endpoints: readonly Endpoint[]): Endpoint[] {
  return endpoints.filter((ep) => weightOf(ep) > 0)
}
