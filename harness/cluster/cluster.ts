/**
 * A running cluster for one variant: a process per pod and a NodePort proxy process per node,
 * all on the run's own loopback addresses. `stop()` kills everything it started.
 */
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import fs from 'node:fs'
import path from 'node:path'
import { podPlacement } from '../scenario/topology.ts'
import type { AddressPlan } from './address-plan.ts'
import { emptyPodStats } from '../pods/server.ts'
import { emptyProxyStats } from '../proxy/accounting.ts'
import { startChild, type Child } from '../process/child.ts'
import { prepareBundles } from '../process/bundle.ts'
import type { SampledProcess } from '../util/cpu.ts'
import { deriveSeed } from '../util/rng.ts'
import { HarnessError } from '../errors.ts'
import type { CommandPodConfig, PodConfig, PodFault, NodeProxyConfig, LbConfig } from '../model/wire.ts'
import type { ResolvedCommand, ResolvedNode, ResolvedPodSpec, ResolvedVariant } from '../model/scenario.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { PodStats, ProxyStats, LbStats } from '../model/measurements.ts'

const POD_ENTRY = fileURLToPath(new URL('../pods/main.ts', import.meta.url))
const PROXY_ENTRY = fileURLToPath(new URL('../proxy/main.ts', import.meta.url))
const LB_ENTRY = fileURLToPath(new URL('../lb/main.ts', import.meta.url))
const COMMAND_POD_ENTRY = fileURLToPath(new URL('../pods/command.ts', import.meta.url))
const POD_HOST_ENTRY = fileURLToPath(new URL('../pods/host.ts', import.meta.url))

/** What the cluster needs of a pod's process: a Child, or a pod inside a node's pod host. */
type PodHandle = Pick<Child, 'name' | 'pid' | 'ready' | 'exited' | 'request' | 'isExited' | 'kill' | 'signal' | 'finalData' | 'outputTail'>

/**
 * A built-in pod inside its node's pod host process (`cluster.podProcesses: 'per-node'`). `kill`
 * crashes it as the network sees a crash (listener gone, open connections reset); SIGTERM is a
 * graceful close with the final counts.
 */
function hostedPod(host: Child, config: PodConfig): PodHandle {
  let exited = false
  let final: unknown
  let markExited: (v: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {}
  const exitedP = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => (markExited = resolve))
  const gone = (signal: NodeJS.Signals | null) => {
    if (!exited) {
      exited = true
      markExited({ code: signal === null ? 0 : null, signal })
    }
  }
  void host.exited.then(() => gone('SIGKILL'))
  const ready = host.request('start', config, { timeoutMs: 15_000 })
  ready.catch(() => {})
  return {
    name: `pod "${config.name}"`,
    pid: host.pid,
    ready,
    exited: exitedP,
    request: <T>(type: string, payload?: unknown, opts?: { timeoutMs?: number }) =>
      exited
        ? Promise.reject(new HarnessError('CHILD_EXITED', `pod "${config.name}" is not running`))
        : host.request<T>(type, type === 'fault' ? { pod: config.name, fault: payload } : { pod: config.name, ...(payload as object | undefined) }, opts),
    isExited: () => exited,
    async kill() {
      if (exited) return
      gone('SIGKILL')
      await host.request('crash', { pod: config.name }).catch(() => undefined)
    },
    signal(sig) {
      if (exited || sig !== 'SIGTERM') return
      void host.request('terminate', { pod: config.name }, { timeoutMs: 600_000 }).then(
        (stats) => {
          final = stats
          gone(null)
        },
        () => gone('SIGKILL'),
      )
    },
    finalData: () => final,
    outputTail: () => host.outputTail(),
  }
}

/** Node flags of the node proxy processes (see npm run bench:proxy). */
export const PROXY_NODE_FLAGS: readonly string[] = []

/** First port of the hop relays: a node relays port HOP_PORT_BASE + j to its local pod j. */
export const HOP_PORT_BASE = 40000

/** A pod as placed in the cluster. */
export interface PlacedPod {
  name: string
  node: string
  address: string
  port: number
  /** Port on its node's address where the node relays hop traffic to this pod. */
  hopPort: number
  spec: ResolvedPodSpec
  /** A free slot for scale-ups and rolling-update surges: not started, not an endpoint, at first. */
  spare: boolean
}

/** A node as placed in the cluster. */
export interface PlacedNode {
  name: string
  address: string
  nodePort: number
}

/** Where everything is; pure, computed before anything starts. */
export interface Topology {
  nodes: PlacedNode[]
  pods: PlacedPod[]
}

/** Nodes and pods of a variant on the plan's addresses. */
export function placeTopology(v: ResolvedVariant, plan: AddressPlan): Topology {
  const nodes = v.cluster.nodes.map((n, i) => ({ name: n.name, address: plan.node(i), nodePort: v.service.nodePort }))
  const pods: PlacedPod[] = podPlacement(v.cluster.nodes).map((x, j) => ({
    name: x.name,
    node: x.node.name,
    address: plan.pod(j),
    port: v.cluster.podPort,
    hopPort: HOP_PORT_BASE + j,
    spec: x.node.podSpecs[x.indexOnNode] as ResolvedPodSpec,
    spare: false,
  }))
  const j = pods.length
  // Free slots continue the walk over the nodes; they run the scenario's base pod settings.
  const base = { weight: 1, ...v.cluster.pod }
  for (let k = 0; k < v.cluster.spareSlots; k++) {
    const n = v.cluster.nodes[(j + k) % v.cluster.nodes.length] as ResolvedNode
    pods.push({ name: `pod-${j + k + 1}`, node: n.name, address: plan.pod(j + k), port: v.cluster.podPort, hopPort: HOP_PORT_BASE + j + k, spec: base, spare: true })
  }
  return { nodes, pods }
}

/** A started cluster. */
export interface Cluster {
  topology: Topology
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
  stop(): Promise<void>
}

/** A self-signed EC certificate for the load balancer's TLS, made at run time. */
async function selfSignedCredentials(): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned')
  const pems = await generate([{ name: 'commonName', value: 'svcbench-lb' }], { notAfterDate: new Date(Date.now() + 86_400_000), keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })
  return { key: pems.private, cert: pems.cert }
}

/** Sum of a pod's counts over its incarnations. */
export function mergePodStats(name: string, parts: PodStats[]): PodStats {
  const out = emptyPodStats(name)
  for (const s of parts) {
    out.requests += s.requests
    out.errors5xx += s.errors5xx
    out.connections += s.connections
    for (const [k, e] of Object.entries(s.byPeer)) {
      const cur = (out.byPeer[k] ??= { requests: 0, connections: 0 })
      cur.requests += e.requests
      cur.connections += e.connections
    }
    for (const [k, n] of Object.entries(s.byClient)) out.byClient[k] = (out.byClient[k] ?? 0) + n
    s.perSecond.forEach((n, i) => (out.perSecond[i] = (out.perSecond[i] ?? 0) + n))
  }
  out.perSecond = Array.from(out.perSecond, (x) => x ?? 0)
  return out
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
}

/**
 * What a command pod counted, from the node proxies (which chose the pod for every connection
 * or request): requests and their seconds; connections in L4 mode. Source addresses and 5xx stay
 * unknown (the client's results have the errors).
 */
export function podStatsFromProxies(pod: string, proxies: readonly ProxyStats[], balancing: 'connection' | 'request'): PodStats {
  return mergePodStats(
    pod,
    proxies.map((px) => ({
      ...emptyPodStats(pod),
      requests: px.requestsByPod?.[pod] ?? 0,
      connections: balancing === 'connection' ? (px.byPod[pod] ?? 0) : 0,
      perSecond: px.requestsPerSecondByPod?.[pod] ?? [],
    })),
  )
}

/** Start pods, then node proxies; on any failure stop what started and throw a HarnessError. */
export async function startCluster(v: ResolvedVariant, opts: StartClusterOptions): Promise<Cluster> {
  await prepareBundles()
  const topology = placeTopology(v, opts.plan)
  const children: Child[] = []
  const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000
  // Once stopped, nothing new may start: a fault still in progress (a rolling update waiting for
  // a pod) must not leave a process behind the run.
  let stopped = false
  const stop = async () => {
    stopped = true
    await Promise.all(children.map((c) => c.kill()))
  }
  try {
    const podConfig = (p: PlacedPod): PodConfig => ({
      name: p.name,
      node: p.node,
      address: p.address,
      port: p.port,
      latency: p.spec.latency,
      responseBytes: p.spec.responseBytes,
      errorRate: p.spec.errorRate,
      seed: deriveSeed(opts.seed, `${v.name}/${p.name}`),
    })
    const command = v.cluster.command
    const logDir = opts.logDir ?? path.join(os.tmpdir(), `svcbench-${opts.runId}`, 'pods')
    const commandConfig = (p: PlacedPod, cmd: ResolvedCommand): CommandPodConfig => ({
      name: p.name,
      address: p.address,
      port: p.port,
      argv: cmd.argv,
      cwd: cmd.cwd,
      env: cmd.env,
      readinessPath: cmd.readinessPath,
      startupTimeoutMs: cmd.startupTimeoutMs,
      logFile: path.join(logDir, `${p.name}.log`),
      runId: opts.runId,
    })
    const noteInLog = (pod: string, what: string) => {
      try {
        fs.appendFileSync(path.join(logDir, `${pod}.log`), `--- svcbench: ${new Date().toISOString()} ${pod} ${what}\n`)
      } catch {
        // the log is a courtesy
      }
    }
    // Large clusters: one pod host process per node runs that node's built-in pods.
    const hosts = new Map<string, Child>()
    if (v.cluster.podProcesses === 'per-node') {
      for (const n of topology.nodes) {
        const h = startChild(POD_HOST_ENTRY, { label: `pod host of "${n.name}"`, config: { node: n.name }, runId: opts.runId, readyTimeoutMs })
        children.push(h)
        hosts.set(n.name, h)
      }
      await Promise.all([...hosts.values()].map((h) => h.ready))
    }
    const startPod = (p: PlacedPod): PodHandle => {
      const host = hosts.get(p.node)
      if (host !== undefined) return hostedPod(host, podConfig(p))
      const c =
        command === null
          ? startChild(POD_ENTRY, { label: `pod "${p.name}"`, config: podConfig(p), runId: opts.runId, readyTimeoutMs })
          : startChild(COMMAND_POD_ENTRY, { label: `pod "${p.name}" (${path.basename(command.argv.at(-1) ?? '')})`, config: commandConfig(p, command), runId: opts.runId, readyTimeoutMs: command.startupTimeoutMs + 5000 })
      children.push(c)
      return c
    }
    // The live process of each pod; a killed pod has none until it is restarted.
    const pods = new Map<string, PodHandle | undefined>(topology.pods.map((p) => [p.name, p.spare ? undefined : startPod(p)]))
    await Promise.all([...pods.values()].filter((c): c is PodHandle => c !== undefined).map((c) => c.ready))
    // Counts of pod incarnations that were killed, kept so that a crash does not erase history.
    const past = new Map<string, PodStats[]>()
    const deadProxyStats = new Map<string, ProxyStats>()
    let epoch = Date.now()

    const endpointOf = (p: PlacedPod): Endpoint => ({ name: p.name, address: p.address, port: p.port, node: p.node, weight: p.spec.weight })
    const endpoints: Endpoint[] = topology.pods.filter((p) => !p.spare).map(endpointOf)
    const hashSeed = deriveSeed(opts.seed, `${v.name}/hash`)
    const nodeAddress = Object.fromEntries(topology.nodes.map((n) => [n.name, n.address]))
    const proxies = topology.nodes.map((n) => {
      const config: NodeProxyConfig = {
        node: n.name,
        address: n.address,
        nodePort: n.nodePort,
        algorithm: v.service.algorithm,
        flags: { hashPort: v.service.ipvsFlags.some((f) => f.endsWith('-port')), fallback: v.service.ipvsFlags.some((f) => f.endsWith('-fallback')) },
        balancing: v.service.balancing,
        seed: deriveSeed(opts.seed, `${v.name}/${n.name}/balancer`),
        hashSeed,
        sessionAffinityTimeoutSeconds: v.service.sessionAffinity === 'ClientIP' ? v.service.sessionAffinityTimeoutSeconds : null,
        externalTrafficPolicy: v.service.externalTrafficPolicy,
        endpoints,
        hops: topology.pods.map((p) => ({ pod: p.name, node: p.node, nodeAddress: nodeAddress[p.node] as string, hopPort: p.hopPort, podAddress: p.address, podPort: p.port })),
        hopLatencyMs: v.cluster.network.hopLatencyMs,
        healthCheckNodePort: v.service.type === 'LoadBalancer' && v.service.externalTrafficPolicy === 'Local' ? v.service.healthCheckNodePort : null,
        builtInPods: command === null,
      }
      const c = startChild(PROXY_ENTRY, { label: `node proxy "${n.name}"`, config, runId: opts.runId, readyTimeoutMs, nodeFlags: [...PROXY_NODE_FLAGS] })
      children.push(c)
      return c
    })
    await Promise.all(proxies.map((c) => c.ready))
    const proxyByNode = new Map(topology.nodes.map((n, i) => [n.name, proxies[i] as Child]))

    let lb: Child | undefined
    if (v.service.loadBalancer !== null) {
      const config: LbConfig = {
        address: opts.plan.frontLb,
        port: v.service.port,
        settings: v.service.loadBalancer,
        nodes: topology.nodes.map((n) => ({ name: n.name, address: n.address })),
        nodePort: v.service.nodePort,
        healthCheckNodePort: v.service.healthCheckNodePort,
        externalTrafficPolicy: v.service.externalTrafficPolicy,
        seed: deriveSeed(opts.seed, `${v.name}/lb`),
        tlsCredentials: v.service.loadBalancer.tls ? await selfSignedCredentials() : null,
      }
      lb = startChild(LB_ENTRY, { label: `load balancer (${v.service.loadBalancer.preset})`, config, runId: opts.runId, readyTimeoutMs })
      children.push(lb)
      await lb.ready
    }

    const intentionallyKilled = new Set<PodHandle>()
    const all = () => {
      const dead = children.find((c) => c.isExited() && !intentionallyKilled.has(c))
      if (dead !== undefined) {
        throw new HarnessError('CHILD_EXITED', `${dead.name} exited during the run${dead.outputTail() === '' ? '' : `: ${dead.outputTail().trim().split('\n').slice(-3).join(' | ')}`}`)
      }
    }
    const placed = (name: string) => {
      const p = topology.pods.find((x) => x.name === name)
      if (p === undefined) throw new HarnessError('CHILD_EXITED', `no pod named ${name}`)
      return p
    }
    const livePods = () => [...pods.entries()].filter((e): e is [string, PodHandle] => e[1] !== undefined && !e[1].isExited())
    const liveProxies = () => proxies.filter((c) => !c.isExited())
    const killPod = async (name: string): Promise<number> => {
      const c = pods.get(name)
      if (c === undefined || c.isExited()) return Date.now()
      // Keep what this incarnation counted (bookkeeping only; then the process dies for real).
      const last = await c.request<PodStats>('stats', undefined, { timeoutMs: 2000 }).catch(() => undefined)
      if (last !== undefined) past.set(name, [...(past.get(name) ?? []), last])
      intentionallyKilled.add(c)
      pods.set(name, undefined)
      const at = Date.now()
      await c.kill()
      if (command !== null) noteInLog(name, 'killed by svcbench (SIGKILL to its process group)')
      return at
    }

    return {
      topology,
      hashSeed,
      frontAddress: lb === undefined ? undefined : { host: opts.plan.frontLb, port: v.service.port, tls: v.service.loadBalancer?.tls === true },
      async reset(epochMs) {
        all()
        epoch = epochMs
        past.clear()
        await Promise.all([
          ...livePods().map(([, c]) => c.request('reset', { epochMs })),
          ...liveProxies().map((c) => c.request('reset', { epochMs })),
          ...(lb === undefined ? [] : [lb.request('reset', { epochMs })]),
        ])
      },
      async killNode(name) {
        const px = proxyByNode.get(name)
        const onNode = topology.pods.filter((p) => p.node === name).map((p) => p.name)
        // Keep what the node's proxy counted, then the node dies: its proxy and all its pods.
        if (px !== undefined && !px.isExited()) {
          const last = await px.request<ProxyStats>('stats', undefined, { timeoutMs: 2000 }).catch(() => undefined)
          if (last !== undefined) deadProxyStats.set(name, last)
          intentionallyKilled.add(px)
        }
        const at = Date.now()
        await Promise.all([...onNode.map((p) => killPod(p)), px?.kill()])
        return at
      },
      processes() {
        return [
          // Hosted pods share their node's pod host process: sample the host once.
          ...(hosts.size > 0
            ? [...hosts.entries()].filter(([, h]) => !h.isExited()).map(([node, h]) => ({ role: 'pod' as const, name: `pod host ${node}`, pid: h.pid }))
            : livePods().map(([name, c]) => ({ role: 'pod' as const, name, pid: c.pid }))),
          ...topology.nodes.flatMap((n) => {
            const c = proxyByNode.get(n.name)
            return c === undefined || c.isExited() ? [] : [{ role: 'proxy' as const, name: n.name, pid: c.pid }]
          }),
          ...(lb === undefined || lb.isExited() ? [] : [{ role: 'load-balancer' as const, name: 'lb', pid: lb.pid }]),
        ]
      },
      async lbStats() {
        return lb === undefined ? undefined : lb.request<LbStats>('stats', undefined, { timeoutMs: 10_000 })
      },
      async collect() {
        all()
        const [podStats0, proxyStats] = await Promise.all([
          Promise.all(
            topology.pods.map(async (p) => {
              const c = pods.get(p.name)
              let live: PodStats[] = []
              if (c !== undefined && !c.isExited()) {
                try {
                  live = [await c.request<PodStats>('stats', undefined, { timeoutMs: 10_000 })]
                } catch (e) {
                  // A pod being deleted (a rolling update still going at the end) may exit meanwhile:
                  // its deletion keeps its final counts in `past`; wait for that.
                  if (!intentionallyKilled.has(c)) throw e
                  await c.exited
                  await new Promise((r) => setImmediate(r))
                }
              }
              return mergePodStats(p.name, [...(past.get(p.name) ?? []), ...live])
            }),
          ),
          Promise.all(
            topology.nodes.map((n) => {
              const c = proxyByNode.get(n.name)!
              return c.isExited() ? (deadProxyStats.get(n.name) ?? emptyProxyStats(n.name)) : c.request<ProxyStats>('stats', undefined, { timeoutMs: 10_000 })
            }),
          ),
        ])
        // A command pod counts nothing itself: the proxies know what they sent it.
        const podStats = command === null ? podStats0 : topology.pods.map((p) => podStatsFromProxies(p.name, proxyStats, v.service.balancing))
        return { pods: podStats, proxies: proxyStats }
      },
      killPod,
      async restartPod(name) {
        if (stopped || pods.get(name) !== undefined) return false
        const c = startPod(placed(name))
        pods.set(name, c)
        await c.ready
        if (stopped) {
          await c.kill()
          return false
        }
        await c.request('reset', { epochMs: epoch })
        return true
      },
      async podFault(name, fault) {
        const c = pods.get(name)
        if (c !== undefined && !c.isExited()) await c.request('fault', fault)
      },
      async publishEndpoints(ready, terminating = []) {
        const set = new Set(ready)
        const term = new Set(terminating)
        const list = [
          ...topology.pods.filter((p) => set.has(p.name)).map(endpointOf),
          ...topology.pods.filter((p) => term.has(p.name) && !set.has(p.name)).map((p) => ({ ...endpointOf(p), terminating: true })),
        ]
        await Promise.all(liveProxies().map((c) => c.request('endpoints', list)))
      },
      async deletePod(name, d) {
        const c = pods.get(name)
        if (c === undefined || c.isExited()) return
        intentionallyKilled.add(c)
        if (d.preStopMs > 0) await new Promise((r) => setTimeout(r, d.preStopMs))
        const snapshot = await c.request<PodStats>('stats', undefined, { timeoutMs: 2000 }).catch(() => undefined)
        c.signal('SIGTERM')
        const left = Math.max(0, d.graceMs - d.preStopMs)
        const killer = setTimeout(() => void c.kill(), left)
        await c.exited
        clearTimeout(killer)
        const last = (c.finalData() as PodStats | undefined) ?? snapshot
        if (last !== undefined) past.set(name, [...(past.get(name) ?? []), last])
        pods.set(name, undefined)
      },
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
