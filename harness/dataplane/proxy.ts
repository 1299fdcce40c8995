/**
 * The `proxy` dataplane, svcbench's portable default: a NodePort proxy process per node (its
 * kube-proxy, harness/proxy/main.ts, with the node's hop relays) and, for a LoadBalancer Service
 * with one, the front load balancer process (harness/lb/main.ts), all on the run's own loopback
 * addresses.
 */
import { fileURLToPath } from 'node:url'
import { startChild, exitedDuringRun, type Child } from '../process/child.ts'
import { deriveSeed } from '../util/rng.ts'
import { emptyProxyStats } from '../proxy/accounting.ts'
import { relayEnvProblem } from '../proxy/relay/mode.ts'
import { HarnessError, type ScenarioIssue } from '../errors.ts'
import { kubeletProbePasses } from '../util/probe.ts'
import { createLoadExecutor } from '../load/registry.ts'
import type { LbConfig, NodeProxyConfig } from '../model/wire.ts'
import { NLB_UDP_IDLE_TIMEOUT_MS } from '../model/load-balancer.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { LbStats, ProxyStats } from '../model/measurements.ts'
import { DEFAULT_COUNTS_TIMEOUT_MS, type Dataplane, type DataplaneNetwork, type DataplaneStartOptions, type DataplaneStats, type DataplaneTopology, type LoadTarget, type RunningDataplane } from './types.ts'
import { lbHealthCheckCanPass } from '../lb/health.ts'

const PROXY_ENTRY = fileURLToPath(new URL('../proxy/main.ts', import.meta.url))
const LB_ENTRY = fileURLToPath(new URL('../lb/main.ts', import.meta.url))

/** The proxy dataplane. */
export function createProxyDataplane(): Dataplane {
  return { name: 'proxy', preflight, addressing: (_v, loopback) => loopback, prepare: async () => HOST_NETWORK, start: startProxyDataplane }
}

/** Every process runs on this machine's own network (the run's loopback block needs no setup). */
const HOST_NETWORK: DataplaneNetwork = { podPlace: () => ({}), podHostPlace: () => ({}), teardown: async () => {} }

/** A bad SVCBENCH_L4_RELAY is refused before anything starts. */
function preflight(): ScenarioIssue[] {
  const problem = relayEnvProblem()
  return problem === null ? [] : [{ path: 'SVCBENCH_L4_RELAY', message: problem }]
}

/** What node `n`'s proxy process is started with. */
function nodeProxyConfig(n: DataplaneTopology['nodes'][number], topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions): NodeProxyConfig {
  const nodeAddress = Object.fromEntries(topology.nodes.map((x) => [x.name, x.address]))
  return {
    node: n.name,
    address: n.address,
    nodePort: v.service.type === 'ClusterIP' ? null : n.nodePort,
    clusterIp: v.load.from === 'cluster' ? { address: n.clusterIp, port: v.service.port } : null,
    internalTrafficPolicy: v.service.internalTrafficPolicy,
    masqueradeAll: v.service.masqueradeAll,
    proxyMode: v.service.proxyMode,
    algorithm: v.service.algorithm,
    ipvsTimeouts: v.service.ipvsTimeouts,
    flags: { hashPort: v.service.ipvsFlags.some((f) => f.endsWith('-port')), fallback: v.service.ipvsFlags.some((f) => f.endsWith('-fallback')) },
    balancing: v.service.balancing,
    seed: deriveSeed(opts.seed, `${v.name}/${n.name}/balancer`),
    hashSeed: opts.hashSeed,
    sessionAffinityTimeoutSeconds: v.service.sessionAffinity === 'ClientIP' ? v.service.sessionAffinityTimeoutSeconds : null,
    externalTrafficPolicy: v.service.externalTrafficPolicy,
    endpoints: [...opts.endpoints],
    hops: topology.pods.map((p) => ({ pod: p.name, node: p.node, nodeAddress: nodeAddress[p.node] as string, hopPort: p.hopPort, podAddress: p.address, podPort: p.port })),
    hopLatencyMs: v.cluster.network.hopLatencyMs,
    healthCheckNodePort: v.service.type === 'LoadBalancer' && v.service.externalTrafficPolicy === 'Local' ? v.service.healthCheckNodePort : null,
    builtInPods: v.cluster.command === null,
    ...(v.service.protocol === 'UDP' ? { udp: { timeoutMs: v.cluster.conntrack.udpTimeoutMs, streamTimeoutMs: v.cluster.conntrack.udpStreamTimeoutMs, cleanup: v.service.udpConntrackCleanup } } : {}),
  }
}

/** A self-signed EC certificate for the load balancer's TLS, made at run time. */
async function selfSignedCredentials(): Promise<{ key: string; cert: string }> {
  const { generate } = await import('selfsigned')
  const pems = await generate([{ name: 'commonName', value: 'svcbench-lb' }], { notAfterDate: new Date(Date.now() + 86_400_000), keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })
  return { key: pems.private, cert: pems.cert }
}

/** Where the load connects: the front load balancer if there is one, else the NodePort of each node in `via`. */
export function loadTargets(topology: DataplaneTopology, frontAddress: LoadTarget | undefined, via: readonly string[]): LoadTarget[] {
  return frontAddress !== undefined ? [frontAddress] : via.map((name) => topology.nodes.find((n) => n.name === name)!).map((n) => ({ host: n.address, port: n.nodePort }))
}

/** What the front load balancer process is started with. */
async function lbConfig(settings: NonNullable<ResolvedVariant['service']['loadBalancer']>, topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions): Promise<LbConfig> {
  return {
    address: opts.frontLbAddress,
    port: v.service.port,
    settings,
    nodes: topology.nodes.map((n) => ({ name: n.name, address: n.address })),
    nodePort: v.service.nodePort,
    healthCheckNodePort: v.service.healthCheckNodePort,
    externalTrafficPolicy: v.service.externalTrafficPolicy,
    seed: deriveSeed(opts.seed, `${v.name}/lb`),
    protocol: v.service.protocol,
    udpIdleTimeoutMs: NLB_UDP_IDLE_TIMEOUT_MS,
    healthCheckCanPass: lbHealthCheckCanPass(v.service),
    tlsCredentials: settings.tls ? await selfSignedCredentials() : null,
  }
}

/** Start the front load balancer process (not waiting for it to be ready), in network namespace `netns` if given. */
export async function startFrontLb(settings: NonNullable<ResolvedVariant['service']['loadBalancer']>, topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions, netns?: string): Promise<Child> {
  const config = await lbConfig(settings, topology, v, opts)
  return startChild(LB_ENTRY, { label: `load balancer (${settings.preset})`, config, runId: opts.runId, readyTimeoutMs: opts.readyTimeoutMs, netns })
}

/** Start a proxy per node, then the front load balancer; on any failure stop what started and throw. */
async function startProxyDataplane(topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions): Promise<RunningDataplane> {
  const children: Child[] = []
  const stop = async () => {
    await Promise.all(children.map((c) => c.kill()))
  }
  try {
    const proxies = topology.nodes.map((n) => {
      const config = nodeProxyConfig(n, topology, v, opts)
      const c = startChild(PROXY_ENTRY, { label: `node proxy "${n.name}"`, config, runId: opts.runId, readyTimeoutMs: opts.readyTimeoutMs })
      children.push(c)
      return c
    })
    await Promise.all(proxies.map((c) => c.ready))
    let lb: Child | undefined
    const settings = v.service.loadBalancer
    if (settings !== null) {
      lb = await startFrontLb(settings, topology, v, opts)
      children.push(lb)
      await lb.ready
    }
    const frontAddress = lb === undefined ? undefined : { host: opts.frontLbAddress, port: v.service.port, tls: settings?.tls === true }
    return runningProxyDataplane({ topology, proxies, lb, children, frontAddress, stop, builtInPods: v.cluster.command === null, countsTimeoutMs: opts.countsTimeoutMs ?? DEFAULT_COUNTS_TIMEOUT_MS })
  } catch (err) {
    await stop()
    throw err
  }
}

/** What {@link runningProxyDataplane} works on. */
interface ProxyDataplaneState {
  topology: DataplaneTopology
  /** One per topology node, in topology order. */
  proxies: Child[]
  lb: Child | undefined
  children: Child[]
  frontAddress: LoadTarget | undefined
  stop(): Promise<void>
  /** The pods count their requests themselves (else the proxies' counts are the per-pod counts too). */
  builtInPods: boolean
  countsTimeoutMs: number
}

/** The started proxy dataplane's operations. */
function runningProxyDataplane(s: ProxyDataplaneState): RunningDataplane {
  const { topology, lb } = s
  const proxyByNode = new Map(topology.nodes.map((n, i) => [n.name, s.proxies[i] as Child]))
  const deadProxyStats = new Map<string, ProxyStats>()
  const intentionallyKilled = new Set<Child>()
  const lost: string[] = []
  let last: DataplaneStats | undefined
  const liveProxies = () => s.proxies.filter((c) => !c.isExited())
  return {
    frontAddress: s.frontAddress,
    targets: (via) => loadTargets(topology, s.frontAddress, via),
    // The load generator is this process: its clients are the run's loopback addresses.
    startLoad: (executor, plan) => createLoadExecutor(executor).start(plan),
    probeFromNode: (node, probe) => kubeletProbePasses(probe, topology.nodes.find((n) => n.name === node)?.address ?? '127.0.0.1'),
    async applyEndpoints(ready, terminating) {
      const list = [...ready, ...terminating.map((e) => ({ ...e, terminating: true }))]
      await Promise.all(
        topology.nodes.map(async (n) => {
          const c = proxyByNode.get(n.name)!
          if (c.isExited()) return // died on purpose (kill-node), or the cluster reports it
          try {
            await c.request('endpoints', list)
          } catch (err) {
            // A node killed while the update was on its way had nothing left to update.
            if (intentionallyKilled.has(c)) return
            throw new HarnessError('ENDPOINTS_PUBLISH_FAILED', `node proxy "${n.name}" could not take the endpoint update: ${(err as Error).message}`, { cause: err })
          }
        }),
      )
    },
    async reset(epochMs) {
      lost.length = 0 // (what was lost before the epoch was not measured)
      last = undefined
      await Promise.all([...liveProxies().map((c) => c.request('reset', { epochMs })), ...(lb === undefined ? [] : [lb.request('reset', { epochMs })])])
    },
    async collect() {
      const [proxies, lbStats] = await Promise.all([
        Promise.all(
          topology.nodes.map((n) => {
            const c = proxyByNode.get(n.name)!
            return c.isExited() ? (deadProxyStats.get(n.name) ?? emptyProxyStats(n.name)) : c.request<ProxyStats>('stats', undefined, { timeoutMs: 10_000 })
          }),
        ),
        lb === undefined ? undefined : lb.request<LbStats>('stats', undefined, { timeoutMs: 10_000 }),
      ])
      last = { proxies, lb: lbStats }
      return last
    },
    async killNode(name, alongside = async () => {}) {
      const px = proxyByNode.get(name)
      // Keep what the node's proxy counted, then the node dies: its proxy and (alongside) all its pods.
      if (px !== undefined && !px.isExited()) {
        try {
          deadProxyStats.set(name, await px.request<ProxyStats>('stats', undefined, { timeoutMs: s.countsTimeoutMs }))
        } catch (err) {
          const missing = s.builtInPods ? 'the per-node counts' : 'the per-node counts and from the per-pod counts (its proxy counted for the command pods)'
          lost.push(`${name}'s node proxy counts before its kill could not be read: ${(err as Error).message}; its decisions before the kill are missing from ${missing}`)
        }
        intentionallyKilled.add(px)
      }
      const at = Date.now()
      await Promise.all([alongside(), px?.kill()])
      return at
    },
    assertAlive() {
      const dead = s.children.find((c) => c.isExited() && !intentionallyKilled.has(c))
      if (dead !== undefined) throw exitedDuringRun(dead)
    },
    processes: () => [
      ...topology.nodes.flatMap((n) => {
        const c = proxyByNode.get(n.name)
        return c === undefined || c.isExited() ? [] : [{ role: 'proxy' as const, name: n.name, pid: c.pid }]
      }),
      ...(lb === undefined || lb.isExited() ? [] : [{ role: 'load-balancer' as const, name: 'lb', pid: lb.pid }]),
    ],
    warnings: () => [...lost, ...(last === undefined ? [] : relayWarnings(last))],
    stop: s.stop,
  }
}

/**
 * A line for every relay that ran instead of the one asked for (the node proxies with the same
 * relay and reason in one line): their figures are not those of the relay the run was meant to measure.
 */
export function relayWarnings(stats: DataplaneStats): string[] {
  const byReason = new Map<string, string[]>()
  for (const px of stats.proxies) {
    if (px.relay === undefined || px.relayFallback === undefined || px.relayFallback === null) continue
    const key = `the ${px.relay} relay ${px.relayFallback}`
    byReason.set(key, [...(byReason.get(key) ?? []), px.node])
  }
  const out = [...byReason].map(([what, nodes]) => `${nodes.length === 1 ? 'node proxy' : 'node proxies'} ${nodes.map((n) => `"${n}"`).join(', ')} ran ${what}`)
  if (stats.lb !== undefined && stats.lb.relayFallback !== null) out.push(`the load balancer ran the ${stats.lb.relay} relay ${stats.lb.relayFallback}`)
  return out
}
