/**
 * Child entry: one node's NodePort proxy (its kube-proxy). Each node decides on its own: its own
 * balancer state, its own affinity table. It also runs the node's hop relays: a port per local
 * pod through which other nodes reach that pod (the extra hop of externalTrafficPolicy Cluster).
 */
import http from 'node:http'
import { readChildConfig, serveIpc } from '../process/ipc.ts'
import { createKubeProxyBalancer } from '../balancers/kube-proxy.ts'
import { createAccounting } from './accounting.ts'
import { startL4Proxy } from './l4.ts'
import { startL7Proxy } from './l7.ts'
import { startHopRelay } from './hop.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { NodeProxyConfig } from '../model/wire.ts'
import type { Route } from './types.ts'


const config = readChildConfig<NodeProxyConfig>()


const local = config.externalTrafficPolicy === 'Local'
// Local: only this node's endpoints. Cluster: all of them. Within that, ready endpoints; the
// serving-but-terminating ones only when none is ready (KEP-1669).
const scope = (eps: readonly Endpoint[]) => {
  const inScope = local ? eps.filter((e) => e.node === config.node) : [...eps]
  const ready = inScope.filter((e) => e.terminating !== true)
  return ready.length > 0 ? ready : inScope
}
const balancer = createKubeProxyBalancer({
  mode: config.proxyMode,
  algorithm: config.algorithm,
  flags: config.flags,
  seed: config.seed,
  hashSeed: config.hashSeed,
  affinityTimeoutSeconds: config.sessionAffinityTimeoutSeconds,
  timeouts: config.ipvsTimeouts,
  now: Date.now,
})
let current = scope(config.endpoints)
balancer.update(current)
const accounting = createAccounting(config.node)
const hopByPod = new Map(config.hops.map((h) => [h.pod, h]))

/**
 * How to reach an endpoint from this node. Local: straight to the pod, from the client's own
 * address (client address preserved). Cluster: SNAT to this node's address; a pod on another node
 * is reached through that node's hop relay (a real extra hop).
 */
const route = (ep: Endpoint, clientIp: string): Route => {
  if (local) return { host: ep.address, port: ep.port, localAddress: clientIp }
  if (ep.node === config.node) return { host: ep.address, port: ep.port, localAddress: config.address }
  const hop = hopByPod.get(ep.name)
  if (hop === undefined) return { host: ep.address, port: ep.port, localAddress: config.address }
  return { host: hop.nodeAddress, port: hop.hopPort, localAddress: config.address, viaHop: true }
}

try {
  // A relay for every pod slot on this node, including free slots that pods may fill later.
  const localSlots = config.hops.filter((h) => h.node === config.node)
  const relays = await Promise.all(
    localSlots.map((h) =>
      startHopRelay({ host: config.address, port: h.hopPort, target: { name: h.pod, address: h.podAddress, port: h.podPort, node: h.node }, delayMs: config.hopLatencyMs }),
    ),
  )
  // Local with no local endpoint drops (kube-proxy's KUBE-XLB rule): the client times out.
  const onNoEndpoint = local ? 'drop' : 'reject'
  const opts = { host: config.address, port: config.nodePort, balancer, accounting, route, onNoEndpoint } as const
  const proxy = config.balancing === 'connection' ? await startL4Proxy({ ...opts, countRequests: !config.builtInPods }) : await startL7Proxy({ ...opts, lean: config.builtInPods })
  // A Service with no endpoint at all (none ready, none serving while terminating) is REJECTed on
  // every node, under Local too (the "has no endpoints" REJECT of both proxiers' syncProxyRules,
  // pkg/proxy/{iptables,nftables}/proxier.go, before the Local DROP): the client's connection is
  // refused before it is established. Only for the modes that write those rules.
  const rejects = config.proxyMode === 'iptables' || config.proxyMode === 'nftables'
  const rejectIfEmpty = (all: readonly Endpoint[]) => (rejects ? proxy.refuseNew?.(all.length === 0) : undefined)
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
    stats: () => ({ ...accounting.snapshot(), realServers: balancer.realServers?.(), relay: proxy.relay, relayFallback: proxy.relayFallback }),
    endpoints: async (p) => {
      current = scope(p as Endpoint[])
      balancer.update(current)
      await rejectIfEmpty(p as Endpoint[])
    },
  })
  process.on('disconnect', () => {
    healthz?.close()
    proxy.close()
    for (const r of relays) r.close()
  })
  process.send?.({ type: 'ready' })
} catch (err) {
  process.send?.({ type: 'failed', error: `cannot listen on ${config.address}: ${(err as Error).message}` })
  process.exit(1)
}
