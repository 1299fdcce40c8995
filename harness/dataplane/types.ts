/**
 * The one interface every dataplane implements: what stands between the load and the pods (each
 * node's kube-proxy, the hops between nodes, the optional front load balancer). Shaped like
 * kube-proxy's own proxiers (pkg/proxy/{iptables,nftables,ipvs}/proxier.go): each is started from
 * the same topology and fed the same endpoint sets (EndpointSlice state; `applyEndpoints` is their
 * `Sync()`), and reports the same per-node counts.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { KubeletProbe } from '../util/probe.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { LbStats, ProxyStats } from '../model/measurements.ts'
import type { SampledProcess } from '../util/cpu.ts'
import type { LoadExecutorName, LoadPlan, LoadTarget, RunningLoad } from '../load/types.ts'
import type { DataplaneName } from '../model/scenario.ts'

export type { DataplaneName }

/**
 * Where the cluster's parts get their addresses: `proxy` uses the run's loopback block as given;
 * `kernel` uses 198.18.0.0/15 inside the run's network namespaces (kernel/address-plan.ts).
 */
export interface ClusterAddressing {
  /** Node i's address (its NodePort listens there). */
  node(i: number): string
  /** Pod slot j's address: slots are numbered over the cluster; it is the `slot`-th on node `nodeIndex`. */
  pod(j: number, nodeIndex: number, slot: number): string
  /** Client source address k (clients outside the cluster). */
  client(k: number): string
  /** In-cluster client k's address: it is the `slot`-th client pod on node `nodeIndex` (load.clientPods 'separate'). */
  clientPod(k: number, nodeIndex: number, slot: number): string
  /**
   * Where node `nodeIndex`'s pods reach the Service's ClusterIP. On the kernel dataplane it is the
   * one virtual IP every node's rules intercept; on loopback each node's proxy needs an address
   * of its own to stand in for it (a socket cannot tell which node a client runs on).
   */
  clusterIp(nodeIndex: number): string
  /** The front load balancer's address (LoadBalancer Services). */
  frontLb: string
}

/** Where one of the cluster's processes runs. */
export interface ProcessPlace {
  /** Its network namespace (a name under /run/netns); undefined: this machine's own. */
  netns?: string
}

/**
 * What the pods need before they start (kernel: the run's namespaces, links and routes; proxy:
 * nothing), and where each of their processes runs.
 */
export interface DataplaneNetwork {
  /** Where pod `name`'s own process runs (a built-in pod or a command pod's supervisor). */
  podPlace(name: string): ProcessPlace
  /** Where node `node`'s pod host runs (`cluster.podProcesses: 'per-node'`). */
  podHostPlace(node: string): ProcessPlace
  /** Remove what it built (the started dataplane's `stop` does it too); safe to call twice. */
  teardown(): Promise<void>
}

/**
 * What a dataplane needs of the cluster's layout (cluster/topology.ts places it): the nodes with
 * their NodePort, every pod slot (spare ones included: pods may fill them later) with the port
 * on its node where other nodes reach it (the hop of externalTrafficPolicy Cluster).
 */
export interface DataplaneTopology {
  /** `clusterIp`: where the node's pods reach the Service's ClusterIP (ClusterAddressing.clusterIp). */
  nodes: readonly { name: string; address: string; nodePort: number; clusterIp: string }[]
  pods: readonly { name: string; node: string; address: string; port: number; hopPort: number }[]
  /** In-cluster clients (load.from 'cluster'), in client-address order: `pod` names the Service's pod a client is (clientPods 'endpoints'), else null. */
  clients: readonly { name: string; node: string; address: string; pod: string | null }[]
}

/** Where the load connects: a node's NodePort, or the front load balancer (`tls` when it terminates TLS); the load layer's type. */
export type { LoadTarget } from '../load/types.ts'

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
  /** What {@link Dataplane.prepare} built for this topology. @default prepared by start itself */
  network?: DataplaneNetwork
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
   * Start the load where the clients live: in this process (proxy), or in a child process inside
   * the run's client namespace (kernel), whose result comes back over IPC; in-cluster clients on
   * the kernel dataplane run in one child per namespace they live in, the plan split by address
   * and the results merged.
   */
  startLoad(executor: LoadExecutorName, plan: LoadPlan): RunningLoad
  /** The kubelet's HTTP GET from node `node` (its address as the source): the status, or undefined when it failed or timed out. */
  probeFromNode(node: string, probe: KubeletProbe): Promise<boolean>
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
  /** The addresses of the variant's cluster; `loopback` is the run's own loopback block. */
  addressing(v: ResolvedVariant, loopback: ClusterAddressing): ClusterAddressing
  /** Build what the pods need before any of them starts; on failure remove what it built and throw a HarnessError. */
  prepare(topology: DataplaneTopology, v: ResolvedVariant, opts: { runId: string }): Promise<DataplaneNetwork>
  /** Start it for one variant's topology; resolves once every part is ready, else stops what started and throws a HarnessError. */
  start(topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions): Promise<RunningDataplane>
}
