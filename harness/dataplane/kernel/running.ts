/**
 * The started kernel dataplane's operations: endpoint syncs (every live node's rules rewritten
 * in one transaction), the load generator in the client namespace, the kubelet's probes from
 * node namespaces, the measured phase's decisions (rules' counters and conntrack, decisions.ts),
 * node kills, and stop.
 */
import { exitedDuringRun, type Child } from '../../process/child.ts'
import { HarnessError } from '../../errors.ts'
import { loadTargets } from '../proxy.ts'
import { CLUSTER_CIDR, CLUSTER_IP } from './address-plan.ts'
import { ipBatch } from './exec.ts'
import { establishedFlows, type ConntrackWatch, type TrackedFlow } from './conntrack.ts'
import { nodeDecisions, type Decision } from './decisions.ts'
import { startRemoteLoad, startSplitLoad } from './remote-load.ts'
import type { KernelLayout, LayoutNode } from './layout.ts'
import type { KernelRules } from './rules-binding.ts'
import type { UdpNodeCleanup } from './udp.ts'
import type { KernelProxyMode, RuleEndpoint, RuleInput, RuleService } from './rules/types.ts'
import type { Endpoint } from '../../model/kube-proxy.ts'
import type { ResolvedVariant } from '../../model/scenario.ts'
import type { LbStats } from '../../model/measurements.ts'
import type { SampledProcess } from '../../util/cpu.ts'
import type { DataplaneStats, DataplaneTopology, LoadTarget, RunningDataplane } from '../types.ts'

/** What the started kernel dataplane works on. */
export interface KernelState {
  v: ResolvedVariant
  topology: DataplaneTopology
  layout: KernelLayout
  rules: KernelRules
  mode: KernelProxyMode
  /** Each node's agent (kubelet probes, kube-proxy health check), by node. */
  agents: Map<string, Child>
  /** The load generators by namespace: one in the client namespace, or one in each namespace in-cluster clients live in. */
  loads: Map<string, Child>
  /** The front load balancer in the fabric, once started. */
  lb: Child | undefined
  /** Each node's conntrack watch, by node. */
  watches: Map<string, ConntrackWatch>
  /** Every child it started. */
  children: Child[]
  frontAddress: LoadTarget | undefined
  countsTimeoutMs: number
  /** A UDP Service: kube-proxy's conntrack cleanup after each node's sync (udp.ts); undefined for TCP. */
  udpCleanup?: UdpNodeCleanup
  stop(): Promise<void>
}

/** Which conntrack entries carry the Service. */
export const protocolOf = (v: ResolvedVariant) => (v.service.protocol === 'UDP' ? 'udp' : 'tcp')

/** The Service the rules are written for, as Kubernetes would name it. */
export const SERVICE_NAME = { namespace: 'default', name: 'svcbench' }

/** What each node had at the epoch: its counters (and when they were read) and its established connections of the Service. */
interface EpochSnapshot {
  counters: Record<string, number> | undefined
  countersAtMs: number
  established: Decision[]
}

/**
 * The Service as kube-proxy sees it: its ClusterIP (every type has one) and, for NodePort and
 * LoadBalancer, its NodePort (the front load balancer forwards to the NodePorts, like instance targets).
 */
function ruleService(v: ResolvedVariant, serviceName: { namespace: string; name: string }): RuleService {
  return {
    ...serviceName,
    protocol: v.service.protocol,
    clusterIP: CLUSTER_IP,
    port: v.service.port,
    targetPort: v.cluster.podPort,
    nodePort: v.service.type === 'ClusterIP' ? null : v.service.nodePort,
    externalTrafficPolicy: v.service.externalTrafficPolicy,
    internalTrafficPolicy: v.service.internalTrafficPolicy,
    sessionAffinityTimeoutSeconds: v.service.sessionAffinity === 'ClientIP' ? v.service.sessionAffinityTimeoutSeconds : null,
    healthCheckNodePort: v.service.type === 'LoadBalancer' && v.service.externalTrafficPolicy === 'Local' ? v.service.healthCheckNodePort : null,
  }
}

/** The EndpointSlice state: ready endpoints, and serving-but-terminating ones (KEP-1669 conditions). */
function ruleEndpoints(ready: readonly Endpoint[], terminating: readonly Endpoint[]): RuleEndpoint[] {
  const e = (x: Endpoint, isReady: boolean): RuleEndpoint => ({ name: x.name, address: x.address, port: x.port, node: x.node, ready: isReady, serving: true, terminating: !isReady })
  return [...ready.map((x) => e(x, true)), ...terminating.map((x) => e(x, false))]
}

/** Whether a tracked connection is one of the Service's as node `n` received it: at its NodePort, or at the ClusterIP. */
export function serviceFlow(v: ResolvedVariant, n: Pick<LayoutNode, 'address'>): (f: TrackedFlow) => boolean {
  const nodePort = v.service.type === 'ClusterIP' ? null : v.service.nodePort
  return (f) => (f.orig.dst === n.address && f.orig.dport === nodePort) || (f.orig.dst === CLUSTER_IP && f.orig.dport === v.service.port)
}

/** The started kernel dataplane's operations. */
export function runningKernelDataplane(s: KernelState): RunningDataplane {
  const { v, layout } = s
  const service = ruleService(v, SERVICE_NAME)
  const podByAddress = new Map(s.topology.pods.map((p) => [p.address, p.name]))
  const killedNodes = new Set<string>()
  const intentionallyKilled = new Set<Child>()
  const warnings: string[] = []
  let epochMs = Date.now()
  let snapshot: Promise<Map<string, EpochSnapshot>> | undefined
  let snapshotTimer: NodeJS.Timeout | undefined
  const decision = (f: TrackedFlow, atMs: number): Decision | undefined => {
    const pod = podByAddress.get(f.reply.src)
    return pod === undefined ? undefined : { atMs, client: f.orig.src, clientPort: f.orig.sport, pod }
  }
  const udpPerQuery = v.service.protocol === 'UDP' && v.load.udpSourcePort === 'per-query'
  const keep = (n: LayoutNode) => serviceFlow(v, n)
  const clientNetns = new Map(layout.clientPlaces.flatMap((p) => p.addresses.map((a) => [a, p.netns] as const)))
  const takeSnapshot = async () =>
    new Map(
      await Promise.all(
        layout.nodes.map(async (n): Promise<[string, EpochSnapshot]> => {
          const at = Date.now()
          const [counters, established] = await Promise.all([s.rules.readCounters(n.netns, s.mode).catch(() => undefined), establishedFlows(n.netns, keep(n), protocolOf(v)).catch(() => [] as TrackedFlow[])])
          s.watches.get(n.name)?.forgetBefore(epochMs)
          // UDP with a socket per query: the warm-up's entries outlive their one query and carry no measured traffic (fixed sockets' entries do).
          const carried = udpPerQuery ? [] : established
          return [n.name, { counters, countersAtMs: at, established: carried.map((f) => decision(f, at)).filter((d): d is Decision => d !== undefined) }]
        }),
      ),
    )
  const applyOn = async (n: LayoutNode, endpoints: RuleEndpoint[]) => {
    const input: RuleInput = { mode: s.mode, service, node: { name: n.name, addresses: [n.address], podCidr: n.podCidr, clusterCidr: CLUSTER_CIDR }, endpoints, masqueradeAll: v.service.masqueradeAll }
    await s.rules.apply(n.netns, s.mode, s.rules.render(input))
    // (kube-proxy cleans conntrack at the end of its sync, once the new rules are in)
    await s.udpCleanup?.(n.name, n.netns, endpoints)
    const local = endpoints.filter((e) => e.node === n.name && e.ready).length
    await s.agents.get(n.name)?.request('local-endpoints', local)
  }

  return {
    get frontAddress() {
      return s.frontAddress
    },
    targets: (via) => loadTargets(s.topology, s.frontAddress, via),
    // Clients outside the cluster live in the client namespace; in-cluster ones in their pods' namespaces.
    startLoad: (executor, plan) =>
      v.load.from === 'external' ? startRemoteLoad(s.loads.get(layout.client) as Child, executor, { ...plan, runNetns: layout.client }) : startSplitLoad(s.loads, executor, plan, (a) => clientNetns.get(a)),
    async probeFromNode(node, probe) {
      const agent = s.agents.get(node)
      if (agent === undefined || agent.isExited()) return false
      return agent.request<boolean>('probe', probe, { timeoutMs: probe.timeoutMs + 2000 }).catch(() => false)
    },
    async applyEndpoints(ready, terminating) {
      const endpoints = ruleEndpoints(ready, terminating)
      await Promise.all(
        layout.nodes.map(async (n) => {
          if (killedNodes.has(n.name)) return // its kube-proxy is dead: nothing updates its rules
          try {
            await applyOn(n, endpoints)
          } catch (err) {
            if (killedNodes.has(n.name)) return
            throw new HarnessError('ENDPOINTS_PUBLISH_FAILED', `node "${n.name}" could not take the endpoint update: ${(err as Error).message}`, { cause: err })
          }
        }),
      )
    },
    async reset(epoch) {
      epochMs = epoch
      warnings.length = 0
      clearTimeout(snapshotTimer)
      await Promise.all([...(s.lb === undefined ? [] : [s.lb.request('reset', { epochMs: epoch })])])
      // What each node has at the epoch: the measured phase's decisions are counted from there.
      snapshot = new Promise((resolve, reject) => {
        snapshotTimer = setTimeout(() => void takeSnapshot().then(resolve, reject), Math.max(0, epoch - Date.now()))
      })
      snapshot.catch(() => {})
    },
    async collect() {
      const atEpoch = await (snapshot ?? takeSnapshot())
      const proxies = await Promise.all(
        layout.nodes.map(async (n) => {
          const then = atEpoch.get(n.name) as EpochSnapshot
          const countersNow = await s.rules.readCounters(n.netns, s.mode).catch(() => undefined)
          const made = (s.watches.get(n.name)?.flows() ?? []).filter((f) => (f.atMs ?? 0) >= epochMs).map((f) => decision(f, f.atMs ?? epochMs)).filter((d): d is Decision => d !== undefined)
          const r = nodeDecisions({ node: n.name, epochMs, established: then.established, made, countersAtEpoch: then.counters, countersAtEpochMs: then.countersAtMs, countersNow })
          const problems = s.watches.get(n.name)?.problems() ?? ''
          return { ...r, warnings: [...r.warnings, ...(problems === '' ? [] : [`node "${n.name}": conntrack said: ${problems}`])] }
        }),
      )
      const lb = s.lb === undefined ? undefined : await s.lb.request<LbStats>('stats', undefined, { timeoutMs: 10_000 })
      warnings.length = 0
      warnings.push(...proxies.flatMap((p) => p.warnings))
      return { proxies: proxies.map((p) => p.stats), lb } satisfies DataplaneStats
    },
    async killNode(name, alongside = async () => {}) {
      const n = layout.nodes.find((x) => x.name === name)
      killedNodes.add(name)
      const agent = s.agents.get(name)
      if (agent !== undefined) intentionallyKilled.add(agent)
      const at = Date.now()
      // The node dies: its uplink goes down (traffic to it is lost, as to a dead machine), its kubelet and kube-proxy stop, its pods die.
      await Promise.all([alongside(), agent?.kill(), n === undefined ? undefined : ipBatch(['link set eth0 down'], { netns: n.netns })])
      return at
    },
    assertAlive() {
      const dead = s.children.find((c) => c.isExited() && !intentionallyKilled.has(c))
      if (dead !== undefined) throw exitedDuringRun(dead)
    },
    processes: () => kernelProcesses(s),
    warnings: () => [...warnings, ...(v.cluster.command === null ? [] : ['command pods on the kernel dataplane: the kernel forwards bytes without reading HTTP, so nothing counted each pod\'s requests; per-pod connections are the rules\' decisions'])],
    stop: s.stop,
  }
}

/** The dataplane's live processes for CPU sampling (the kernel's own forwarding runs in no process and is not sampled). */
function kernelProcesses(s: KernelState): SampledProcess[] {
  const live = (c: Child | undefined) => c !== undefined && !c.isExited()
  return [
    ...[...s.loads].filter(([, c]) => live(c)).map(([netns, c]) => ({ role: 'load-generator' as const, name: netns === s.layout.client ? 'client namespace' : netns, pid: c.pid })),
    ...[...s.agents].filter(([, c]) => live(c)).map(([node, c]) => ({ role: 'proxy' as const, name: `${node} (node agent)`, pid: c.pid })),
    ...[...s.watches].map(([node, w]) => ({ role: 'proxy' as const, name: `${node} (conntrack)`, pid: w.pid })),
    ...(live(s.lb) ? [{ role: 'load-balancer' as const, name: 'lb', pid: (s.lb as Child).pid }] : []),
  ]
}
