/**
 * The one interface every dataplane implements: what stands between the load and the pods (each
 * node's kube-proxy, the hops between nodes, the optional front load balancer). Shaped like
 * kube-proxy's own proxiers (pkg/proxy/{iptables,nftables,ipvs}/proxier.go): each is started from
 * the same topology and fed the same endpoint sets (EndpointSlice state; `applyEndpoints` is their
 * `Sync()`), and reports the same per-node counts.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { LbStats, ProxyStats } from '../model/measurements.ts'
import type { SampledProcess } from '../util/cpu.ts'

/** Every dataplane by name (dataplane/registry.ts maps each to its factory). */
export type DataplaneName = 'proxy'

/**
 * What a dataplane needs of the cluster's layout (cluster/topology.ts places it): the nodes with
 * their NodePort, every pod slot (spare ones included: pods may fill them later) with the port
 * on its node where other nodes reach it (the hop of externalTrafficPolicy Cluster).
 */
export interface DataplaneTopology {
  nodes: readonly { name: string; address: string; nodePort: number }[]
  pods: readonly { name: string; node: string; address: string; port: number; hopPort: number }[]
}

/** Where the load connects: a node's NodePort, or the front load balancer (`tls` when it terminates TLS). */
export interface LoadTarget {
  host: string
  port: number
  tls?: boolean
}

/** Options for {@link Dataplane.start}. */
export interface DataplaneStartOptions {
  /** The endpoint set the dataplane starts with (every pod that runs at start, all ready). */
  endpoints: readonly Endpoint[]
  /** The front load balancer's address, for a LoadBalancer Service with one. */
  frontLbAddress: string
  /** Seed of the run, for the balancers' random choices. */
  seed: number
  /** Seed of hash keys every node uses (Maglev): the same on every node. */
  hashSeed: number
  /** Run id, put on every process it starts. */
  runId: string
  /** Time each of its processes has to be ready, ms. */
  readyTimeoutMs: number
  /** Time a node has to hand over its counts before it is killed, ms. @default DEFAULT_COUNTS_TIMEOUT_MS */
  countsTimeoutMs?: number
}

/** Time a node proxy (or a pod) has to hand over its counts before it is killed, ms. */
export const DEFAULT_COUNTS_TIMEOUT_MS = 2000

/** A dataplane's counts: per node (a dead node's last ones) and the front load balancer's. */
export interface DataplaneStats {
  /** One per topology node, in topology order. */
  proxies: ProxyStats[]
  /** The front load balancer's, when there is one. */
  lb: LbStats | undefined
}

/** A started dataplane. */
export interface RunningDataplane {
  /** Where clients connect for a LoadBalancer Service with a front load balancer; undefined without one. */
  readonly frontAddress: LoadTarget | undefined
  /** Where the load connects: the front load balancer if there is one, else the NodePort of each node in `via`. */
  targets(via: readonly string[]): LoadTarget[]
  /**
   * Program every live node with an endpoint set: `ready` ones, and `terminating` ones that are
   * still serving (KEP-1669). Rejects with a HarnessError `ENDPOINTS_PUBLISH_FAILED` when a node
   * that was not killed on purpose could not take it.
   */
  applyEndpoints(ready: readonly Endpoint[], terminating: readonly Endpoint[]): Promise<void>
  /** Zero every counter; count only from `epochMs` (may be in the future). */
  reset(epochMs: number): Promise<void>
  /** Per-node and load-balancer counts of the measured phase. */
  collect(): Promise<DataplaneStats>
  /**
   * The node's kube-proxy dies (what it counted so far is kept first), together with `alongside`
   * (the rest of the node: its pods), both started at the same moment. Resolves with that moment (Date.now()).
   */
  killNode(name: string, alongside?: () => Promise<unknown>): Promise<number>
  /** Throws a HarnessError `CHILD_EXITED` if a part of it died without being killed on purpose. */
  assertAlive(): void
  /** Its live processes, for CPU sampling. */
  processes(): SampledProcess[]
  /**
   * What the reader must know about its figures: counts it could not read, relays that ran
   * instead of the ones asked for. Empty when there is nothing to say.
   */
  warnings(): string[]
  /** Stop everything it started. */
  stop(): Promise<void>
}

/** A way to carry a Service's traffic from the load to the pods. */
export interface Dataplane {
  readonly name: DataplaneName
  /**
   * What keeps this dataplane from running the variant on this machine, found before anything
   * starts (the CLI refuses the run with exit 2). Empty when it can run.
   */
  preflight(v: ResolvedVariant): ScenarioIssue[]
  /** Start it for one variant's topology; resolves once every part is ready, else stops what started and throws a HarnessError. */
  start(topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions): Promise<RunningDataplane>
}
