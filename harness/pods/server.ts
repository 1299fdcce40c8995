/**
 * The built-in pod: a real HTTP server on its own address with a configured service time,
 * response size and error rate. It counts, on the server side, requests and connections per
 * TCP source address and requests per client (X-Forwarded-For when a L7 proxy set it, else the
 * TCP source): those counts are the truth for distribution statistics.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLatencySampler } from './latency.ts'
import { createRng } from '../util/rng.ts'
import type { ResolvedLatency } from '../model/scenario.ts'
import { KUBE_PROBE_USER_AGENT, NO_FAULT, type PodConfig, type PodFault } from '../model/wire.ts'
import type { PodStats } from '../model/measurements.ts'
import { answerAfterHalfClose } from '../util/http.ts'
import { startUdpPod } from './udp.ts'

/** Header naming the pod that answered. */
export const POD_HEADER = 'x-svcbench-pod'
/** Header naming the node of the pod that answered. */
export const NODE_HEADER = 'x-svcbench-node'

/** Counters of a pod that has counted nothing. */
export function emptyPodStats(name: string): PodStats {
  return { name, requests: 0, errors5xx: 0, connections: 0, byPeer: {}, byClient: {}, perSecond: [] }
}

/** A running pod server. */
export interface PodServer {
  readonly config: PodConfig
  /** Apply a fault (NO_FAULT to recover). */
  setFault(fault: PodFault): void
  /**
   * Zero the counters and count only requests arriving at or after `epochMs` (which may lie in
   * the future: the warm-up runs on the same connections and is not counted).
   */
  reset(epochMs: number): void
  stats(): PodStats
  close(): Promise<void>
  /** A crash as the network sees it: the listener goes (new connections refused) and every open connection is reset. Returns the final counts. */
  crash(): PodStats
}

/** A pod's server-side counters of the measured phase. */
interface PodCounters {
  /**
   * Count one request on `socket` from TCP source `peer` for client `client`. Warm-up requests
   * take the same path; the first request at or after the epoch zeroes the counters.
   */
  onRequest(socket: object, peer: string, client: string): void
  /** The request just counted is answered with a 5xx. */
  on5xx(): void
  /** The UDP query just counted is not answered on purpose. */
  onDropped(): void
  /** Zero the counters; count from `epochMs` on. */
  reset(epochMs: number): void
  stats(): PodStats
}

/** Fresh counters for the pod `name`, counting from now. */
function createPodCounters(name: string): PodCounters {
  let epochMs = Date.now()
  let started = true
  // Sockets already counted in the measured phase (a connection counts once, on its first measured request).
  let counted = new WeakSet<object>()
  let requests = 0
  let errors5xx = 0
  let dropped = 0
  let connections = 0
  let byPeer = new Map<string, { requests: number; connections: number }>()
  let byClient = new Map<string, number>()
  let perSecond: number[] = []
  const zero = () => {
    counted = new WeakSet()
    requests = 0
    errors5xx = 0
    dropped = 0
    connections = 0
    byPeer = new Map()
    byClient = new Map()
    perSecond = []
  }

  const peerEntry = (addr: string) => {
    let e = byPeer.get(addr)
    if (e === undefined) {
      e = { requests: 0, connections: 0 }
      byPeer.set(addr, e)
    }
    return e
  }

  return {
    onRequest(socket, peer, client) {
      // Warm-up requests take the same counting path (so that it is optimised before the epoch;
      // a path first taken at the epoch deoptimises and slows the pod for about a second), and the
      // counters are zeroed by the first request at or after the epoch.
      const now = Date.now()
      if (!started && now >= epochMs) {
        started = true
        zero()
      }
      const entry = peerEntry(peer)
      if (!counted.has(socket)) {
        counted.add(socket)
        connections++
        entry.connections++
      }
      requests++
      entry.requests++
      byClient.set(client, (byClient.get(client) ?? 0) + 1)
      const sec = started ? Math.floor((now - epochMs) / 1000) : 0
      perSecond[sec] = (perSecond[sec] ?? 0) + 1
    },
    on5xx: () => void errors5xx++,
    onDropped: () => void dropped++,
    reset(epoch) {
      epochMs = epoch
      started = false
      zero()
    },
    stats() {
      if (!started) zero() // the epoch has not been reached: nothing was measured
      return {
        name,
        requests,
        errors5xx,
        connections,
        byPeer: Object.fromEntries(byPeer),
        byClient: Object.fromEntries(byClient),
        perSecond: Array.from(perSecond, (v) => v ?? 0),
        ...(dropped > 0 ? { dropped } : {}),
      }
    },
  }
}

/** Start a pod server and resolve once it listens. */
export async function startPodServer(config: PodConfig): Promise<PodServer> {
  const rng = createRng(config.seed)
  const sample = createLatencySampler(config.latency, rng)
  const body = Buffer.alloc(config.responseBytes, 'x')
  const headers = {
    'content-type': 'text/plain',
    'content-length': String(body.length),
    [POD_HEADER]: config.name,
    [NODE_HEADER]: config.node,
  }
  const counters = createPodCounters(config.name)

  let fault: PodFault = NO_FAULT
  // A probe (GET /healthz, or any kubelet probe on whatever path it names) is answered, never counted.
  const answerProbe = (res: http.ServerResponse) => {
    const ok = () => {
      res.writeHead(200, { 'content-type': 'text/plain', [POD_HEADER]: config.name })
      res.end('ok')
    }
    if (fault.extraLatencyMs > 0) setTimeout(ok, fault.extraLatencyMs)
    else ok()
  }
  const isProbe = (req: http.IncomingMessage) => req.url === '/healthz' || req.headers['user-agent'] === KUBE_PROBE_USER_AGENT
  const server = http.createServer((req, res) => {
    if (fault.hang) {
      // Never answered; the client's timeout ends it. Its FIN then closes the socket here too
      // (half-open is allowed for clients that still wait for an answer; this one never comes).
      req.socket.once('end', () => req.socket.destroy())
      return
    }
    if (isProbe(req)) {
      answerProbe(res)
      return
    }
    const peer = req.socket.remoteAddress ?? 'unknown'
    const xff = req.headers['x-forwarded-for']
    const client = typeof xff === 'string' && xff !== '' ? (xff.split(',')[0] as string).trim() : peer
    counters.onRequest(req.socket, peer, client)

    const errorRate = fault.errorRate ?? config.errorRate
    const fail = errorRate > 0 && rng() < errorRate
    if (fail) counters.on5xx()
    const delayMs = sample() + fault.extraLatencyMs
    const respond = () => {
      res.writeHead(fail ? 500 : 200, headers)
      res.end(body)
    }
    // Node timers have ~1 ms granularity: a delay below 1 ms takes about 1 ms; 0 answers at once.
    if (delayMs > 0) setTimeout(respond, delayMs)
    else respond()
  })
  server.keepAliveTimeout = 65_000
  // A client that shuts down its write side after its request still gets the answer (Node's HTTP
  // server would otherwise drop the request on the FIN): what a half-close through a Service tests.
  answerAfterHalfClose(server)
  const sockets = new Set<import('node:net').Socket>()
  server.on('connection', (socket) => {
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await listen(server, config.address, config.port)
  // Probes on a port of their own (httpGet or tcpSocket there): a listener that answers only probes.
  const probeServers = await Promise.all((config.probePorts ?? []).filter((p) => p !== config.port).map(async (p) => {
    const s = http.createServer((_req, res) => void (fault.hang ? undefined : answerProbe(res)))
    s.on('connection', (socket) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    })
    await listen(s, config.address, p).catch((err: unknown) => {
      server.close()
      throw err
    })
    return s
  }))
  const bound = server.address() as AddressInfo
  const effective = { ...config, port: bound.port }
  // A UDP Service: queries on the same port number over UDP (the probes stay on TCP, as Kubernetes has no UDP probe).
  const udp = config.protocol !== 'UDP' ? undefined : await startUdpPod({ ...config, port: bound.port, sample, rng, fault: () => fault, onQuery: (flow, peer) => counters.onRequest(flow, peer, peer), onDropped: counters.onDropped }).catch((err: unknown) => {
    for (const s of [server, ...probeServers]) s.close()
    throw err
  })
  return {
    config: effective,
    setFault(f) {
      fault = f
    },
    reset: counters.reset,
    stats: counters.stats,
    crash() {
      const final = counters.stats()
      udp?.crash()
      server.close()
      for (const s of probeServers) s.close()
      for (const s of sockets) s.resetAndDestroy()
      return final
    },
    close() {
      // Graceful: no new connections, idle keep-alive connections closed, in-flight requests
      // answered (with Connection: close), then done.
      const tcp = new Promise<void>((resolve) => {
        // Keep-alive connections become idle after their in-flight response: close them then.
        const sweep = setInterval(() => server.closeIdleConnections(), 20)
        for (const s of probeServers) s.close()
        server.close(() => {
          clearInterval(sweep)
          resolve()
        })
        server.closeIdleConnections()
      })
      return Promise.all([tcp, udp?.close()]).then(() => undefined)
    },
  }
}

/** Listen on address:port (exclusive); rejects when it cannot. */
function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
