/**
 * Child entry: the cloud load balancer of a `LoadBalancer` Service. One external address; it
 * health-checks every node (TCP to the NodePort under externalTrafficPolicy Cluster, HTTP GET
 * /healthz on the healthCheckNodePort under Local, which kube-proxy answers 200 only while the
 * node has a ready local endpoint) and forwards to a healthy node's NodePort: per connection
 * (flow-hash, round-robin, leader) or per request (least-outstanding, L7); a UDP Service per
 * flow (udp.ts). The checks are the same for UDP, as the AWS Load Balancer Controller and the
 * in-tree provider configure them: under Cluster a TCP connect to a UDP-only NodePort, which
 * nothing answers, so every node fails it and the load balancer fails open.
 */
import net from 'node:net'
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'
import { Pool } from 'undici'
import { readChildConfig, serveIpc } from '../process/ipc.ts'
import { hash32 } from '../util/hash.ts'
import { httpGetStatus, tcpConnects } from '../util/probe.ts'
import { forwardRequest, linkLifetimes, listenExclusive } from '../proxy/forward.ts'
import { handToNative, nativeRelay, nativeRelayProblem, type NativeRelay } from '../proxy/relay/native.ts'
import type { LbSettings } from '../model/load-balancer.ts'
import type { LbConfig, LbNode } from '../model/wire.ts'
import type { LbEvent, LbStats } from '../model/measurements.ts'
import { answerAfterHalfClose } from '../util/http.ts'
import type { RelayName } from '../model/variant-parts.ts'
import { nodesLosingFlows, startUdpLb, type RunningUdpLb } from './udp.ts'

const config = readChildConfig<LbConfig>()
const s = config.settings
const hc = s.healthCheck
// A check no node can pass: every node starts (and stays) unhealthy, with no transition to report.
const healthy = new Map(config.nodes.map((n) => [n.name, config.healthCheckCanPass]))
const streak = new Map(config.nodes.map((n) => [n.name, config.healthCheckCanPass ? 0 : -hc.unhealthyThreshold])) // >0: successes in a row, <0: failures
const events: LbEvent[] = []
let epochMs = Date.now()
let byNode: Record<string, number> = {}
let refused = 0

async function check(node: LbNode): Promise<boolean> {
  const target = { host: node.address, localAddress: config.address, timeoutMs: hc.timeoutSeconds * 1000 }
  if (config.externalTrafficPolicy === 'Local') {
    return (await httpGetStatus({ ...target, port: config.healthCheckNodePort, path: '/healthz' })) === 200
  }
  return tcpConnects({ ...target, port: config.nodePort })
}

function healthLoop(node: LbNode): void {
  void check(node).then((ok) => {
    const k = streak.get(node.name) ?? 0
    const next = ok ? Math.max(1, k + 1) : Math.min(-1, k - 1)
    streak.set(node.name, next)
    const was = healthy.get(node.name) === true
    if (was && next <= -hc.unhealthyThreshold) {
      healthy.set(node.name, false)
      events.push({ node: node.name, healthy: false, atMs: Date.now() })
      endFlowsOffPool()
    } else if (!was && next >= hc.healthyThreshold) {
      healthy.set(node.name, true)
      events.push({ node: node.name, healthy: true, atMs: Date.now() })
      endFlowsOffPool()
    }
  })
  setTimeout(() => healthLoop(node), hc.intervalSeconds * 1000).unref()
}

/** The UDP listener of a UDP Service; undefined for TCP. */
let udp: RunningUdpLb | undefined

/** UDP: end the flows of the nodes new flows may not go to (their next datagrams are new flows); TCP connections are left as they were. */
function endFlowsOffPool(): void {
  if (udp === undefined) return
  const losing = nodesLosingFlows(healthy, s.allUnhealthy)
  if (losing.size > 0) udp.endFlows((node) => losing.has(node))
}

let rr = 0
let leader: string | undefined = config.nodes[0]?.name
const outstanding = new Map(config.nodes.map((n) => [n.name, 0]))

/** The node for a new connection or request, or undefined (refuse). */
function pickNode(clientIp: string, clientPort: number): LbNode | undefined {
  let pool = config.nodes.filter((n) => healthy.get(n.name) === true)
  if (pool.length === 0) {
    if (s.allUnhealthy === 'refuse') return undefined
    pool = config.nodes // fail open: every registered node
  }
  switch (s.algorithm) {
    case 'flow-hash':
      return pool[hash32(`${clientIp}:${clientPort}`, config.seed) % pool.length]
    case 'round-robin':
      return pool[rr++ % pool.length]
    case 'leader': {
      if (leader === undefined || !pool.some((n) => n.name === leader)) leader = pool[0]?.name
      return pool.find((n) => n.name === leader)
    }
    case 'least-outstanding': {
      let best = pool[0]
      for (const n of pool) if ((outstanding.get(n.name) ?? 0) < (outstanding.get(best!.name) ?? 0)) best = n
      return best
    }
  }
}

const count = (node: string) => {
  if (Date.now() >= epochMs) byNode[node] = (byNode[node] ?? 0) + 1
}

/** The native relay of the L4 presets without TLS (TLS terminates in Node); null otherwise. */
let native: NativeRelay | null = null
/** The relay that moves the bytes (a stream pipe is `data`; null for UDP datagrams), and why it is not the native one where that was due. */
let relayReport: { relay: RelayName | null; relayFallback: string | null } = { relay: 'l7', relayFallback: null }

async function startUdp(): Promise<RunningUdpLb> {
  relayReport = { relay: null, relayFallback: null }
  return startUdpLb({
    address: config.address,
    port: config.port,
    nodePort: config.nodePort,
    pick: pickNode,
    sourceFor: (clientIp) => (s.preserveClientIp ? clientIp : config.address),
    idleMs: config.udpIdleTimeoutMs,
    onFlow: (node) => (byNode[node] = (byNode[node] ?? 0) + 1),
    onRefused: () => refused++,
    epochMs: () => epochMs,
  })
}

async function startL4(): Promise<net.Server> {
  native = config.tlsCredentials === null ? nativeRelay() : null
  native?.setEpoch(epochMs)
  relayReport = { relay: native !== null ? 'native' : 'data', relayFallback: config.tlsCredentials === null && native === null ? `instead of native: ${nativeRelayProblem()}` : null }
  const onConnection = (client: net.Socket) => {
    client.on('error', () => {})
    const clientIp = client.remoteAddress ?? '127.0.0.1'
    const node = pickNode(clientIp, client.remotePort ?? 0)
    if (node === undefined) {
      if (Date.now() >= epochMs) refused++
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect({ host: node.address, port: config.nodePort, localAddress: s.preserveClientIp ? clientIp : config.address, noDelay: true, allowHalfOpen: true })
    // A connection counts for its node on its first bytes at or after the epoch (keep-alive
    // connections are opened during warm-up), once per measurement.
    const relay = native
    if (relay !== null) {
      // Before the hand-over (a failed connect) and after it (the sockets closed on the relay's word).
      upstream.on('error', () => client.destroyed || client.resetAndDestroy())
      upstream.on('close', () => client.destroyed || client.destroy())
      client.on('close', () => upstream.destroyed || upstream.destroy())
      upstream.once('connect', () =>
        handToNative(relay, client, upstream, (e) => {
          if (e.kind === 'first') {
            count(node.name)
            return
          }
          // A reset on one side reaches the other as a reset, as linkLifetimes does.
          if (e.kind === 'failed') (e.side === 'upstream' ? client : upstream).resetAndDestroy()
          client.destroyed || client.destroy()
          upstream.destroyed || upstream.destroy()
        }),
      )
      return
    }
    let countedEpoch = -1
    client.on('data', () => {
      if (countedEpoch !== epochMs && Date.now() >= epochMs) {
        countedEpoch = epochMs
        count(node.name)
      }
    })
    upstream.once('connect', () => {
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    })
    linkLifetimes(upstream, client)
  }
  // TLS terminates here; the nodes get plain TCP. Half-open allowed on every socket, as through an
  // L4 load balancer: a client's FIN after its request is passed on, and the response still flows back.
  const server =
    config.tlsCredentials === null
      ? net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, onConnection)
      : tls.createServer({ ...config.tlsCredentials, noDelay: true, allowHalfOpen: true }, (c) => {
          c.pause()
          onConnection(c)
        })
  await listenExclusive(server, config.address, config.port)
  return server
}

async function startL7(): Promise<http.Server> {
  const pools = new Map(config.nodes.map((n) => [n.name, new Pool(`http://${n.address}:${config.nodePort}`, { connections: 64, localAddress: config.address })]))
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const clientIp = req.socket.remoteAddress ?? '127.0.0.1'
    const node = pickNode(clientIp, req.socket.remotePort ?? 0)
    if (node === undefined) {
      if (Date.now() >= epochMs) refused++
      res.writeHead(503).end('no healthy target')
      return
    }
    count(node.name)
    outstanding.set(node.name, (outstanding.get(node.name) ?? 0) + 1)
    void forwardRequest(pools.get(node.name)!, req, res, clientIp).finally(() => outstanding.set(node.name, (outstanding.get(node.name) ?? 1) - 1))
  }
  const server: http.Server = config.tlsCredentials === null ? http.createServer(handler) : https.createServer({ ...config.tlsCredentials, allowHalfOpen: true }, handler)
  server.keepAliveTimeout = 65_000
  // A client's FIN after its request does not cancel the answer (Node's HTTP server drops it otherwise).
  answerAfterHalfClose(server)
  await listenExclusive(server, config.address, config.port)
  return server
}

try {
  if (config.protocol === 'UDP') udp = await startUdp()
  else if (s.algorithm === 'least-outstanding') await startL7()
  else await startL4()
  for (const n of config.nodes) healthLoop(n)
  serveIpc({
    reset: (p) => {
      epochMs = (p as { epochMs: number }).epochMs
      native?.setEpoch(epochMs)
      byNode = {}
      refused = 0
    },
    stats: (): LbStats => ({ byNode, refused, events, ...relayReport }),
  })
  process.send?.({ type: 'ready' })
} catch (err) {
  process.send?.({ type: 'failed', error: `cannot listen on ${config.address}:${config.port}: ${(err as Error).message}` })
  process.exit(1)
}
