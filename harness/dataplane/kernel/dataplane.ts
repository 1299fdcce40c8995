/**
 * The `kernel` dataplane: kube-proxy's own rules (nftables or iptables, rendered by rules/) in
 * real network namespaces the run creates (layout.ts), with real conntrack. Every process of the
 * cluster runs where it would in a cluster: each pod in its pod namespace, each node's kubelet
 * probes and kube-proxy health check (node-agent.ts) in its node namespace, the front load
 * balancer in the fabric, the load generator (load-child.ts) in the client namespace.
 *
 * `prepare` builds the network before the pods start; `start` starts the node agents, the
 * conntrack watches, the load generator and the front load balancer, and writes every node's
 * rules. Endpoint changes rewrite each node's rules in one transaction, as kube-proxy's
 * syncProxyRules does; conntrack is left as kube-proxy leaves it for TCP (an established
 * connection keeps its pod: pkg/proxy/conntrack/cleanup.go deletes UDP entries only).
 */
import { fileURLToPath } from 'node:url'
import { startChild, type Child } from '../../process/child.ts'
import { HarnessError } from '../../errors.ts'
import { startFrontLb } from '../proxy.ts'
import { kernelAddressPlan } from './address-plan.ts'
import { kernelLayout } from './layout.ts'
import { buildNetwork, netnsPrefix, type KernelNetwork } from './network.ts'
import { kernelPreflight, THIS_HOST, type KernelHost } from './preflight.ts'
import { watchNewConnections, type ConntrackWatch } from './conntrack.ts'
import { BUILT_IN_RULES, type KernelRules } from './rules-binding.ts'
import { protocolOf, runningKernelDataplane, serviceFlow, SERVICE_NAME, type KernelState } from './running.ts'
import { createUdpCleanup, setUdpTimeouts } from './udp.ts'
import type { KernelProxyMode } from './rules/types.ts'
import type { NodeAgentConfig } from './wire.ts'
import type { ResolvedVariant } from '../../model/scenario.ts'
import { DEFAULT_COUNTS_TIMEOUT_MS, type Dataplane, type DataplaneNetwork, type DataplaneStartOptions, type DataplaneTopology, type RunningDataplane } from '../types.ts'

const NODE_AGENT_ENTRY = fileURLToPath(new URL('./node-agent.ts', import.meta.url))
const LOAD_ENTRY = fileURLToPath(new URL('./load-child.ts', import.meta.url))

/** Options for {@link createKernelDataplane}. */
export interface KernelDataplaneOptions {
  /** kube-proxy's rules. @default BUILT_IN_RULES */
  rules?: KernelRules
  /** The machine the preflight reads. @default THIS_HOST */
  host?: KernelHost
}

// The kernel network behind each prepared network handed to the cluster.
const built = new WeakMap<DataplaneNetwork, KernelNetwork>()

/** The kernel dataplane. */
export function createKernelDataplane(opts: KernelDataplaneOptions = {}): Dataplane {
  const rules = opts.rules ?? BUILT_IN_RULES
  return {
    name: 'kernel',
    preflight: (v) => kernelPreflight(v, opts.host ?? THIS_HOST, rules !== undefined),
    addressing: (v) => kernelAddressPlan(v),
    prepare: (topology, v, o) => prepareKernelNetwork(topology, v, o.runId),
    async start(topology, v, o) {
      if (rules === undefined) throw new HarnessError('NETNS_FAILED', 'this build has no renderer of kube-proxy\'s rules (harness/dataplane/kernel/rules/)')
      const network = o.network ?? (await prepareKernelNetwork(topology, v, o.runId))
      const net = built.get(network)
      if (net === undefined) throw new HarnessError('NETNS_FAILED', 'the kernel dataplane was started on a network it did not prepare')
      return startKernelDataplane(topology, v, o, net, rules)
    },
  }
}

/** Build the variant's namespaces; the handle says where each pod process runs. */
async function prepareKernelNetwork(topology: DataplaneTopology, v: ResolvedVariant, runId: string): Promise<DataplaneNetwork> {
  const lb = v.service.loadBalancer
  const layout = kernelLayout(topology, kernelAddressPlan(v), {
    prefix: netnsPrefix(runId),
    sharedPodNetns: v.cluster.podProcesses === 'per-node',
    lbPreservesClientIp: lb !== null && lb.preserveClientIp && lb.algorithm !== 'least-outstanding',
  })
  const net = await buildNetwork(layout)
  const network: DataplaneNetwork = {
    podPlace: (name) => ({ netns: layout.podNetns.get(name) }),
    podHostPlace: (node) => ({ netns: layout.hostNetns.get(node) }),
    teardown: () => net.teardown(),
  }
  built.set(network, net)
  return network
}

/** The kube-proxy mode the rules are written in (the preflight refused every other). */
function kernelMode(v: ResolvedVariant): KernelProxyMode {
  return v.service.proxyMode === 'iptables' ? 'iptables' : 'nftables'
}

/** Start everything but the pods on the built network; on any failure stop what started, remove the network and throw. */
async function startKernelDataplane(topology: DataplaneTopology, v: ResolvedVariant, opts: DataplaneStartOptions, net: KernelNetwork, rules: KernelRules): Promise<RunningDataplane> {
  const { layout } = net
  const children: Child[] = []
  const watches = new Map<string, ConntrackWatch>()
  const stop = async () => {
    for (const w of watches.values()) w.stop()
    await Promise.all(children.map((c) => c.kill()))
    await net.teardown()
  }
  try {
    const start = (entry: string, label: string, netns: string, config: unknown) => {
      const c = startChild(entry, { label, config, runId: opts.runId, readyTimeoutMs: opts.readyTimeoutMs, netns })
      children.push(c)
      return c
    }
    const healthCheckNodePort = v.service.type === 'LoadBalancer' && v.service.externalTrafficPolicy === 'Local' ? v.service.healthCheckNodePort : null
    const agents = new Map(layout.nodes.map((n) => [n.name, start(NODE_AGENT_ENTRY, `node agent "${n.name}"`, n.netns, { node: n.name, address: n.address, healthCheckNodePort, service: SERVICE_NAME } satisfies NodeAgentConfig)]))
    // One load generator where the clients live: the client namespace, or each namespace of in-cluster clients.
    const loadPlaces = v.load.from === 'external' ? [layout.client] : layout.clientPlaces.map((p) => p.netns)
    const loads = new Map(loadPlaces.map((ns) => [ns, start(LOAD_ENTRY, ns === layout.client ? 'load generator (client namespace)' : `load generator (in-cluster clients in ${ns})`, ns, {})]))
    await Promise.all([
      ...children.map((c) => c.ready),
      ...layout.nodes.map(async (n) => void watches.set(n.name, await watchNewConnections(n.netns, serviceFlow(v, n), protocolOf(v)))),
    ])
    const settings = v.service.loadBalancer
    const state: KernelState = {
      v,
      topology,
      layout,
      rules,
      mode: kernelMode(v),
      agents,
      loads,
      lb: undefined,
      watches,
      children,
      frontAddress: settings === null ? undefined : { host: opts.frontLbAddress, port: v.service.port, tls: settings.tls },
      countsTimeoutMs: opts.countsTimeoutMs ?? DEFAULT_COUNTS_TIMEOUT_MS,
      ...(v.service.protocol === 'UDP' ? { udpCleanup: createUdpCleanup(v, topology.pods.map((p) => p.address)) } : {}),
      stop,
    }
    const running = runningKernelDataplane(state)
    await running.applyEndpoints(opts.endpoints, [])
    // After the first rules: the node's conntrack is loaded, and its UDP timeouts are there to write.
    if (v.service.protocol === 'UDP') await setUdpTimeouts(layout.nodes.map((n) => n.netns), v)
    // The front load balancer last: its first health checks find the rules written.
    if (settings !== null) {
      state.lb = await startFrontLb(settings, topology, v, opts, layout.fabric)
      children.push(state.lb)
      await state.lb.ready
    }
    return running
  } catch (err) {
    await stop()
    throw err
  }
}
