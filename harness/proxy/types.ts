/** What the node proxies' pieces share: routes to endpoints and the proxies' options and handles. */
import type { Balancer } from '../balancers/types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { Accounting } from './accounting.ts'
import type { RelayMode } from './relay/mode.ts'
import type { RelayName } from '../model/variant-parts.ts'

/** The action `opts.onNoEndpoint` says now. */
export function noEndpointAction(opts: Pick<ProxyOptions, 'onNoEndpoint'>): NoEndpointAction {
  return typeof opts.onNoEndpoint === 'function' ? opts.onNoEndpoint() : opts.onNoEndpoint
}

/** Where and from which source address to open the upstream connection for an endpoint. */
export interface Route {
  host: string
  port: number
  localAddress: string
  /** Through another node's hop relay: confirm the connect with the relay handshake. */
  viaHop?: boolean
}

/** A running proxy. */
export interface RunningProxy {
  /** The relay that moves its bytes. */
  readonly relay: RelayName
  /** Why that relay runs instead of the one asked for (see relay/mode.ts); null when it is that one. */
  readonly relayFallback: string | null
  /**
   * Refuse every new connection (true) or take them again (false): kube-proxy's REJECT of a
   * Service with no endpoint at all, which a client sees as a refused connection. L4 only (an L7
   * proxy answers 503 per request instead). Resolves once it took effect.
   */
  refuseNew?(on: boolean): Promise<void>
  close(): void
}

/** What both node proxies (L4 and L7) are started with. */
export interface ProxyOptions {
  host: string
  port: number
  balancer: Balancer
  accounting: Accounting
  /** Where an endpoint is reached, and from which source address (an L7 proxy connects as itself). */
  route: (ep: Endpoint, clientIp: string) => Route
  /**
   * No endpoint available: `reject` refuses (L4: a reset, as kube-proxy REJECTs a Service with no
   * endpoints; L7: a 503); `drop` never answers (a dropped SYN: the client times out). A function
   * is asked at each such connection (the answer can depend on the endpoints elsewhere).
   */
  onNoEndpoint: NoEndpointAction | (() => NoEndpointAction)
  /** The address an L7 proxy connects to the pods from (it connects as itself). @default host */
  sourceAddress?: string
}

/** What a proxy does with a connection no endpoint can take. */
export type NoEndpointAction = 'reject' | 'drop'

/** Options for {@link startL4Proxy}. */
export interface L4ProxyOptions extends ProxyOptions {
  /** Count HTTP requests per pod in the client's byte stream (command pods). @default false */
  countRequests?: boolean
  /** How bytes are moved (see {@link RelayMode}). @default SVCBENCH_L4_RELAY if set, else `native` where built, else `raw` */
  relay?: RelayMode
}

/** Options for {@link startL7Proxy}. */
export interface L7ProxyOptions extends ProxyOptions {
  /** Upstream connections per pod. @default 64 */
  connectionsPerPod?: number
  /** The pods are svcbench's own: the lean proxy (lean-front.ts) serves. @default false */
  lean?: boolean
}
