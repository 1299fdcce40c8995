/**
 * Child entry: one node's NodePort proxy (its kube-proxy). Each node decides on its own: its own
 * balancer state, its own affinity table. It also runs the node's hop relays: a port per local
 * pod through which other nodes reach that pod (the extra hop of externalTrafficPolicy Cluster),
 * and, for in-cluster clients, its listener on its stand-in for the Service's ClusterIP.
 */
import http from 'node:http'
import { readChildConfig, serveIpc } from '../process/ipc.ts'
import { createKubeProxyBalancer } from '../balancers/kube-proxy.ts'
import { createAccounting } from './accounting.ts'
import { startL4Proxy } from './l4.ts'
import { startL7Proxy } from './l7.ts'
import { startHopRelay } from './hop.ts'
import { startUdpNode } from './udp-node.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { NodeProxyConfig } from '../model/wire.ts'
import type { ProxyOptions, Route, RunningProxy } from './types.ts'


const config = readChildConfig<NodeProxyConfig>()


const local = config.externalTrafficPolicy === 'Local'
const internalLocal = config.internalTrafficPolicy === 'Local'
// Local: only this node's endpoints. Cluster: all of them. Within that, ready endpoints; the
// serving-but-terminating ones only when none is ready (KEP-1669).
const scopeFor = (localOnly: boolean) => (eps: readonly Endpoint[]) => {
  const inScope = localOnly ? eps.filter((e) => e.node === config.node) : [...eps]
  const ready = inScope.filter((e) => e.terminating !== true)
  return ready.length > 0 ? ready : inScope
}
const scope = scopeFor(local)
const internalScope = scopeFor(internalLocal)
const newBalancer = () =>
  createKubeProxyBalancer({
    mode: config.proxyMode,
    algorithm: config.algorithm,
    flags: config.flags,
    seed: config.seed,
    hashSeed: config.hashSeed,
    affinityTimeoutSeconds: config.sessionAffinityTimeoutSeconds,
    timeouts: config.ipvsTimeouts,
    now: Date.now,
  })
// NodePort and ClusterIP traffic are balanced apart, as IPVS has a virtual server for each (with
// iptables and nftables each policy has its own chain; only the affinity lists are shared).
const balancer = newBalancer()
const internalBalancer = config.clusterIp == null ? undefined : newBalancer()
let all: readonly Endpoint[] = config.endpoints
let current = scope(all)
balancer.update(current)
internalBalancer?.update(internalScope(all))
const accounting = createAccounting(config.node)
const hopByPod = new Map(config.hops.map((h) => [h.pod, h]))

/** To `ep` from `localAddress`: straight to a pod on this node, else through its node's hop relay (a real extra hop). */
const routeFrom = (ep: Endpoint, localAddress: string): Route => {
  const hop = ep.node === config.node ? undefined : hopByPod.get(ep.name)
  return hop === undefined ? { host: ep.address, port: ep.port, localAddress } : { host: hop.nodeAddress, port: hop.hopPort, localAddress, viaHop: true }
}

/**
 * How to reach an endpoint from this node. Local: straight to the pod, from the client's own
 * address (client address preserved). Cluster: SNAT to this node's address; a pod on another node
 * is reached through that node's hop relay (a real extra hop).
 */
const route = (ep: Endpoint, clientIp: string): Route => (local ? { host: ep.address, port: ep.port, localAddress: clientIp } : routeFrom(ep, config.address))

/**
 * ClusterIP traffic from a pod: the pod sees the client pod's own address (kube-proxy masquerades
 * only sources outside the cluster CIDR), except that kube-proxy masquerades a connection that
 * comes back to the pod that opened it (the endpoint chain's `ip saddr <pod> jump
 * mark-for-masquerade`, iptables `-s <pod> -j KUBE-MARK-MASQ`) and, with masqueradeAll, every one.
 */
const internalRoute = (ep: Endpoint, clientIp: string): Route => routeFrom(ep, config.masqueradeAll === true || clientIp === ep.address ? config.address : clientIp)

/** Listen for NodePort or ClusterIP traffic with the node's balancing mode. */
const listen = (opts: ProxyOptions) => (config.balancing === 'connection' ? startL4Proxy({ ...opts, countRequests: !config.builtInPods }) : startL7Proxy({ ...opts, lean: config.builtInPods }))

// A UDP Service: the node's UDP forwarders (its NodePort's, its ClusterIP's for in-cluster
// clients, with the same balancers and routes as TCP's) and hop relays carry it (udp-node.ts) instead.
const udp = config.udp === undefined ? undefined : await startUdpNode(config, { balancer, accounting, route, internal: internalBalancer === undefined ? undefined : { balancer: internalBalancer, route: internalRoute } }).catch((err: unknown) => {
  process.send?.({ type: 'failed', error: `cannot bind UDP on ${config.address}: ${(err as Error).message}` })
  process.exit(1)
})

try {
  // A relay for every pod slot on this node, including free slots that pods may fill later.
  const localSlots = udp === undefined ? config.hops.filter((h) => h.node === config.node) : []
  const relays = await Promise.all(
    localSlots.map((h) =>
      startHopRelay({ host: config.address, port: h.hopPort, target: { name: h.pod, address: h.podAddress, port: h.podPort, node: h.node }, delayMs: config.hopLatencyMs }),
    ),
  )
  // Local with no local endpoint drops (kube-proxy's KUBE-XLB rule): the client times out.
  const proxy =
    udp !== undefined
      ? { relay: undefined, relayFallback: undefined, close: () => udp.close() }
      : config.nodePort === null
        ? undefined
        : await listen({ host: config.address, port: config.nodePort, balancer, accounting, route, onNoEndpoint: local ? 'drop' : 'reject' })
  // ClusterIP: no endpoint anywhere is REJECTed; none on this node under Local is DROPped (plan.ts).
  const cip = config.clusterIp
  const internal =
    udp !== undefined || cip == null || internalBalancer === undefined
      ? undefined
      : await listen({ host: cip.address, port: cip.port, balancer: internalBalancer, accounting, route: internalRoute, sourceAddress: config.address, onNoEndpoint: () => (all.length === 0 ? 'reject' : 'drop') })
  const relay = (proxy ?? internal)!
  // A Service with no endpoint at all (none ready, none serving while terminating) is REJECTed on
  // every node, under Local too (the "has no endpoints" REJECT of both proxiers' syncProxyRules,
  // pkg/proxy/{iptables,nftables}/proxier.go, before the Local DROP): the client's connection is
  // refused before it is established. Only for the modes that write those rules.
  const rejects = config.proxyMode === 'iptables' || config.proxyMode === 'nftables'
  const rejectIfEmpty = async (eps: readonly Endpoint[]) => {
    if (!rejects) return
    const none = eps.length === 0
    await Promise.all([(proxy as RunningProxy | undefined)?.refuseNew?.(none), (internal as RunningProxy | undefined)?.refuseNew?.(none)])
  }
  await rejectIfEmpty(config.endpoints)
  // kube-proxy's healthCheckNodePort server: 200 while this node has a ready local endpoint.
  const healthz =
    config.healthCheckNodePort === null
      ? undefined
      : await new Promise<http.Server>((resolve, reject) => {
          const srv = http.createServer((_req, res) => {
            // Fails once only terminating local endpoints remain (KEP-1669).
            const n = current.filter((e) => e.node === config.node && (e.weight ?? 1) > 0 && e.terminating !== true).length
            res.writeHead(n > 0 ? 200 : 503, { 'content-type': 'application/json' })
            res.end(JSON.stringify({ service: 'svcbench', localEndpoints: n }))
          })
          srv.once('error', reject)
          srv.listen({ host: config.address, port: config.healthCheckNodePort as number, exclusive: true }, () => resolve(srv))
        })
  serveIpc({
    reset: (p) => accounting.reset((p as { epochMs: number }).epochMs),
    stats: () => ({ ...accounting.snapshot(), realServers: (internalBalancer ?? balancer).realServers?.(), relay: relay.relay, relayFallback: relay.relayFallback }),
    endpoints: async (p) => {
      all = p as Endpoint[]
      current = scope(all)
      balancer.update(current)
      // (after the rules: kube-proxy's conntrack cleanup runs at the end of its sync)
      internalBalancer?.update(internalScope(all))
      for (const f of udp?.forwarders ?? []) f.endpoints(p as Endpoint[])
      await rejectIfEmpty(all)
    },
  })
  process.on('disconnect', () => {
    healthz?.close()
    proxy?.close()
    internal?.close()
    for (const r of relays) r.close()
  })
  process.send?.({ type: 'ready' })
} catch (err) {
  process.send?.({ type: 'failed', error: `cannot listen on ${config.address}: ${(err as Error).message}` })
  process.exit(1)
}
