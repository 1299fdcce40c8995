/**
 * A running cluster for one variant: its pods (pods.ts) and the dataplane between the load and
 * them (harness/dataplane/: `proxy`, a NodePort proxy process per node and the optional front
 * load balancer on the run's own loopback addresses; or `kernel`, kube-proxy's rules in the run's
 * network namespaces). The dataplane lays out the addresses and builds its network first, the
 * pods start where it says, then the dataplane starts. `stop()` removes everything it started.
 */
import { clientAddressCount } from '../load/plan.ts'
import { prepareBundles } from '../process/bundle.ts'
import type { SampledProcess } from '../util/cpu.ts'
import { deriveSeed } from '../util/rng.ts'
import { dataplaneFor } from '../dataplane/registry.ts'
import type { KubeletProbe } from '../util/probe.ts'
import type { ClusterAddressing, Dataplane, DataplaneName, DataplaneNetwork, LoadTarget, RunningDataplane } from '../dataplane/types.ts'
import type { LoadExecutorName, LoadPlan, RunningLoad } from '../load/types.ts'
import type { AddressPlan } from './address-plan.ts'
import { placeTopology, type PlacedPod, type Topology } from './topology.ts'
import { startPods, type PodSet } from './pods.ts'
import { podStatsFromProxies } from './pod-stats.ts'
import type { PodFault } from '../model/wire.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { PodStats, ProxyStats, LbStats } from '../model/measurements.ts'

/** A started cluster. */
export interface Cluster {
  topology: Topology
  /** The dataplane that carries the traffic. */
  dataplane: DataplaneName
  /** Client source address k (the run's loopback block, or the kernel dataplane's client namespace). */
  clientAddress(k: number): string
  /**
   * Where the variant's load connects from and to, paired by index: clients outside the cluster
   * at the NodePorts of `load.via` (or the front load balancer), or each in-cluster client pod at
   * its own node's ClusterIP (one target per client address, so that connection i's target is
   * its address's: LoadPlan pairs equal-length lists by index).
   */
  loadEnds(): { clientAddresses: string[]; targets: LoadTarget[] }
  /** Start the load where the clients live (RunningDataplane.startLoad). */
  startLoad(executor: LoadExecutorName, plan: LoadPlan): RunningLoad
  /** The kubelet's HTTP GET from node `node`: the status, or undefined when it failed or timed out. */
  probeFromNode(node: string, probe: KubeletProbe): Promise<boolean>
  /** Seed of hash keys every node proxy uses (Maglev). */
  hashSeed: number
  /** Zero every pod's and proxy's counters; count only from `epochMs` (may be in the future). */
  reset(epochMs: number): Promise<void>
  /** Counters from every pod (killed incarnations included) and proxy. */
  collect(): Promise<{ pods: PodStats[]; proxies: ProxyStats[] }>
  /** SIGKILL a pod's process: a real crash (its connections die with it). Resolves with the kill time. */
  killPod(name: string): Promise<number>
  /** Start a killed pod again on the same address (a container restart); false if it was running. */
  restartPod(name: string): Promise<boolean>
  /** Inject a fault into a running pod (NO_FAULT recovers). */
  podFault(name: string, fault: PodFault): Promise<void>
  /** Tell every node proxy which pods are ready, and which are terminating but still serving (what EndpointSlices carry to kube-proxy). */
  publishEndpoints(ready: string[], terminating?: string[]): Promise<void>
  /**
   * Delete a pod as the kubelet does: preStop sleep, SIGTERM (the pod stops accepting, finishes
   * in flight, exits), SIGKILL if it is still running at the grace period. Resolves when it is gone.
   */
  deletePod(name: string, opts: { preStopMs: number; graceMs: number }): Promise<void>
  /** The node dies: its kube-proxy and every pod on it. Resolves with the kill time. */
  killNode(name: string): Promise<number>
  /** The front load balancer's counts and health events, when there is one. */
  lbStats(): Promise<LbStats | undefined>
  /** The cluster's live processes, for CPU sampling. */
  processes(): SampledProcess[]
  /** Where clients connect for a LoadBalancer Service (HTTPS when the LB terminates TLS). */
  frontAddress: { host: string; port: number; tls: boolean } | undefined
  /** Where the load connects: the front load balancer, else the NodePort of each node in `via`. */
  targets(via: readonly string[]): LoadTarget[]
  /** What the reader must know about the variant's figures (counts the cluster could not read, relays that ran instead of the ones asked for). */
  warnings(): string[]
  stop(): Promise<void>
}

/** Options for {@link startCluster}. */
export interface StartClusterOptions {
  plan: AddressPlan
  seed: number
  runId: string
  /** Time each process has to listen. @default 15000 */
  readyTimeoutMs?: number
  /** Folder for command pods' logs (`<logDir>/<pod>.log`). @default a temporary folder */
  logDir?: string
  /** Time a pod or node proxy has to hand over its counts before it is killed, ms. @default DEFAULT_COUNTS_TIMEOUT_MS */
  countsTimeoutMs?: number
  /** The dataplane to start, instead of the variant's own (bench:proxy's hand-written rules). @default dataplaneFor(v) */
  dataplane?: Dataplane
}

/** Lay out the dataplane's network, start the pods in it, then the dataplane; on any failure stop what started and throw a HarnessError. */
export async function startCluster(v: ResolvedVariant, opts: StartClusterOptions): Promise<Cluster> {
  await prepareBundles()
  const dp = opts.dataplane ?? dataplaneFor(v)
  const addressing = dp.addressing(v, opts.plan)
  const topology = placeTopology(v, addressing)
  const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000
  const { countsTimeoutMs } = opts
  const network: DataplaneNetwork = await dp.prepare(topology, v, { runId: opts.runId })
  let pods: PodSet
  try {
    pods = await startPods(v, topology, { seed: opts.seed, runId: opts.runId, readyTimeoutMs, logDir: opts.logDir, countsTimeoutMs, network })
  } catch (err) {
    await network.teardown()
    throw err
  }
  const endpointOf = (p: PlacedPod): Endpoint => ({ name: p.name, address: p.address, port: p.port, node: p.node, weight: p.spec.weight })
  const hashSeed = deriveSeed(opts.seed, `${v.name}/hash`)
  let dataplane: RunningDataplane
  try {
    const endpoints = topology.pods.filter((p) => !p.spare).map(endpointOf)
    dataplane = await dp.start(topology, v, { endpoints, frontLbAddress: addressing.frontLb, seed: opts.seed, hashSeed, runId: opts.runId, readyTimeoutMs, countsTimeoutMs, network })
  } catch (err) {
    await pods.stop()
    await network.teardown()
    throw err
  }
  return composeCluster({ v, topology, hashSeed, pods, dataplane, endpointOf, addressing })
}

/** What {@link composeCluster} puts together. */
interface ClusterParts {
  v: ResolvedVariant
  topology: Topology
  hashSeed: number
  pods: PodSet
  dataplane: RunningDataplane
  endpointOf: (p: PlacedPod) => Endpoint
  addressing: ClusterAddressing
}

/** The cluster's operations over its pods and its dataplane. */
function composeCluster({ v, topology, hashSeed, pods, dataplane, endpointOf, addressing }: ClusterParts): Cluster {
  const assertAlive = () => {
    pods.assertAlive()
    dataplane.assertAlive()
  }
  let lastLb: { lb: LbStats | undefined } | undefined
  return {
    topology,
    dataplane: v.service.dataplane,
    clientAddress: (k) => (v.load.from === 'cluster' ? (topology.clients[k]?.address ?? addressing.client(k)) : addressing.client(k)),
    loadEnds() {
      if (v.load.from === 'external') {
        const clientAddresses = Array.from({ length: clientAddressCount(v) }, (_, k) => addressing.client(k))
        return { clientAddresses, targets: dataplane.targets(v.load.via) }
      }
      const clusterIpOf = new Map(topology.nodes.map((n) => [n.name, n.clusterIp]))
      return { clientAddresses: topology.clients.map((c) => c.address), targets: topology.clients.map((c) => ({ host: clusterIpOf.get(c.node) as string, port: v.service.port })) }
    },
    startLoad: (executor, plan) => dataplane.startLoad(executor, plan),
    probeFromNode: (node, probe) => dataplane.probeFromNode(node, probe),
    hashSeed,
    frontAddress: dataplane.frontAddress === undefined ? undefined : { ...dataplane.frontAddress, tls: dataplane.frontAddress.tls === true },
    targets: (via) => dataplane.targets(via),
    async reset(epochMs) {
      assertAlive()
      lastLb = undefined
      await Promise.all([pods.reset(epochMs), dataplane.reset(epochMs)])
    },
    async collect() {
      assertAlive()
      const [podStats, { proxies, lb }] = await Promise.all([pods.collect(), dataplane.collect()])
      lastLb = { lb }
      // A command pod counts nothing itself: the proxies know what they sent it.
      return { pods: v.cluster.command === null ? podStats : topology.pods.map((p) => podStatsFromProxies(p.name, proxies, v.service.balancing)), proxies }
    },
    // The load balancer's counts come with the dataplane's collection (asked for now if there was none since the reset).
    lbStats: async () => (lastLb ?? { lb: (await dataplane.collect()).lb }).lb,
    killPod: (name) => pods.kill(name),
    restartPod: (name) => pods.restart(name),
    podFault: (name, fault) => pods.fault(name, fault),
    async publishEndpoints(ready, terminating = []) {
      const set = new Set(ready)
      const term = new Set(terminating)
      await dataplane.applyEndpoints(
        topology.pods.filter((p) => set.has(p.name)).map(endpointOf),
        topology.pods.filter((p) => term.has(p.name) && !set.has(p.name)).map(endpointOf),
      )
    },
    deletePod: (name, d) => pods.delete(name, d),
    killNode(name) {
      const onNode = topology.pods.filter((p) => p.node === name).map((p) => p.name)
      return dataplane.killNode(name, () => Promise.all(onNode.map((p) => pods.kill(p))))
    },
    processes: () => [...pods.processes(), ...dataplane.processes()],
    warnings: () => [...pods.warnings(), ...dataplane.warnings()],
    // The pods first: the kernel dataplane's stop removes the namespaces they run in.
    stop: async () => {
      await pods.stop()
      await dataplane.stop()
    },
  }
}
