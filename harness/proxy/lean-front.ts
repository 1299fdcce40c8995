/**
 * The L7 node proxy's lean front, for svcbench's own pods: a raw-socket HTTP/1.1 server in place
 * of Node's http server (which was the request proxy's largest cost). It reads request heads
 * straight from the client's bytes, makes one balancing decision per request, sends the request
 * over the lean client (lean-upstream.ts) and writes the answer back, one request at a time per
 * connection (pipelined requests wait their turn, in order).
 *
 * It takes what svcbench's load generator and front load balancer send: HTTP/1.1 and 1.0, no body
 * or a Content-Length body up to 1 MiB. A chunked request body is answered 501, a head over
 * 64 KiB 431, a body over 1 MiB 413, a malformed request or an HTTP/1.1 one without Host 400;
 * each of these closes the connection.
 * Hop-by-hop headers are the proxy's own on each side; the client is appended to X-Forwarded-For.
 */
import net from 'node:net'
import { HOP_BY_HOP, listenExclusive, poolsPerOrigin } from './forward.ts'
import { createLeanPool, type ResponseSink } from './lean-upstream.ts'
import { noEndpointAction, type RunningProxy, type L7ProxyOptions } from './types.ts'

const CRLF2 = Buffer.from('\r\n\r\n')
/** Largest request head taken, bytes. */
export const MAX_HEAD_BYTES = 64 * 1024
/** Largest request body taken, bytes. */
export const MAX_BODY_BYTES = 1024 * 1024
/** Request headers the front deals with itself instead of forwarding them as they are. */
const OWN = new Set([...HOP_BY_HOP, 'x-forwarded-for', 'content-length', 'expect'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** One request head, parsed. */
export interface RequestHead {
  method: string
  target: string
  version: 'HTTP/1.0' | 'HTTP/1.1'
  /** Header lines to forward as they came (`Name: value`). */
  lines: string[]
  /** X-Forwarded-For as the request carried it (joined if repeated), or null. */
  forwardedFor: string | null
  /** Whether the client keeps the connection open after the answer. */
  keepAlive: boolean
  contentLength: number
  /** A Transfer-Encoding was given (the front does not take chunked bodies). */
  chunked: boolean
  /** A Host header was given (HTTP/1.1 requires one). */
  host: boolean
}

/** Parse a request head (the bytes before CRLF CRLF, as latin1). Null when malformed. Pure. */
export function parseRequestHead(text: string): RequestHead | null {
  const all = text.split('\r\n')
  const line = all[0] as string
  const sp1 = line.indexOf(' ')
  const sp2 = line.lastIndexOf(' ')
  if (sp1 <= 0 || sp2 <= sp1 + 1) return null
  const method = line.slice(0, sp1)
  const target = line.slice(sp1 + 1, sp2)
  const version = line.slice(sp2 + 1)
  if ((version !== 'HTTP/1.1' && version !== 'HTTP/1.0') || !TOKEN.test(method) || target.includes(' ')) return null
  const lines: string[] = []
  let forwardedFor: string | null = null
  let connection = ''
  let contentLength = 0
  let chunked = false
  let host = false
  for (let i = 1; i < all.length; i++) {
    const h = all[i] as string
    const c = h.indexOf(':')
    if (c <= 0) return null
    const name = h.slice(0, c).toLowerCase()
    if (!TOKEN.test(name)) return null
    if (OWN.has(name)) {
      const value = h.slice(c + 1).trim()
      if (name === 'content-length') {
        const n = Number(value)
        if (!Number.isInteger(n) || n < 0 || value === '') return null
        contentLength = n
      } else if (name === 'transfer-encoding') chunked = true
      else if (name === 'connection') connection += `${value.toLowerCase()},`
      else if (name === 'x-forwarded-for') forwardedFor = forwardedFor === null ? value : `${forwardedFor}, ${value}`
    } else {
      if (name === 'host') host = true
      lines.push(h)
    }
  }
  const keepAlive = version === 'HTTP/1.1' ? !connection.includes('close') : connection.includes('keep-alive')
  return { method, target, version, lines, forwardedFor, keepAlive, contentLength, chunked, host }
}

/**
 * The request to send upstream, as HTTP/1.1: forwarded headers, X-Forwarded-For with the client,
 * keep-alive; an HTTP/1.0 request without Host gets `authority` as its Host. Pure.
 */
export function upstreamRequest(req: RequestHead, clientIp: string, body: Buffer | null, authority = 'localhost'): string | Buffer {
  let head = `${req.method} ${req.target} HTTP/1.1\r\n`
  for (const l of req.lines) head += `${l}\r\n`
  if (!req.host) head += `host: ${authority}\r\n`
  head += `x-forwarded-for: ${req.forwardedFor === null ? clientIp : `${req.forwardedFor}, ${clientIp}`}\r\nconnection: keep-alive\r\n`
  if (body === null) return `${head}\r\n`
  return joinHead(`${head}content-length: ${body.length}\r\n\r\n`, body)
}

/** A message head (latin1) and body bytes in one buffer, for one write. */
function joinHead(head: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length)
  out.write(head, 0, 'latin1')
  body.copy(out, head.length)
  return out
}

/** Writes a response to the client: the head joined to the first body bytes in one write. */
class ClientSink implements ResponseSink {
  private pendingHead: string | null = null
  constructor(
    private readonly client: net.Socket,
    private readonly keepAlive: boolean,
  ) {}
  head(statusLine: string, lines: string[], length: number): void {
    let h = `HTTP/1.1${statusLine.slice(8)}\r\n`
    for (const l of lines) h += `${l}\r\n`
    this.pendingHead = `${h}content-length: ${length}\r\nconnection: ${this.keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`
  }
  body(chunk: Buffer, _last: boolean): void {
    const head = this.pendingHead
    if (head === null) {
      if (chunk.length > 0) this.client.write(chunk)
      return
    }
    this.pendingHead = null
    this.client.write(joinHead(head, chunk))
  }
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 413: 'Content Too Large', 431: 'Request Header Fields Too Large', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable' }

/** Start the lean L7 proxy; resolves once it listens. */
export async function startLeanL7Proxy(opts: L7ProxyOptions): Promise<RunningProxy> {
  const { balancer, accounting } = opts
  const perPod = opts.connectionsPerPod ?? 64
  const pools = poolsPerOrigin(opts.route, (r) => createLeanPool(r.host, r.port, opts.sourceAddress ?? opts.host, perPod))
  const clients = new Set<net.Socket>()
  const authority = `${opts.host}:${opts.port}`

  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    clients.add(client)
    client.once('close', () => clients.delete(client))
    client.on('error', () => {})
    const clientIp = client.remoteAddress ?? '127.0.0.1'
    const ctx = { clientIp, clientPort: client.remotePort ?? 0, localIp: opts.host }
    let pending: Buffer | null = null
    let busy = false
    let clientEnded = false
    // No more requests on this connection: it is closing, or it was dropped (never answered).
    let done = false
    /** This connection, as the accounting counts it (once per measurement). */
    const conn: { countedEpoch?: number } = {}

    const finish = () => {
      done = true
      client.end()
    }
    const reply = (status: number, text: string, close: boolean) => {
      client.write(`HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: text/plain\r\ncontent-length: ${text.length}\r\nconnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n${text}`)
      if (close) finish()
    }
    const next = () => {
      busy = false
      if (done) return
      if (pending !== null) take()
      if (busy || done) return
      if (clientEnded) finish()
      else if (client.isPaused()) client.resume()
    }
    /** Take the next complete request out of `pending`, if there is one. */
    const take = () => {
      const buf = pending as Buffer
      const end = buf.indexOf(CRLF2)
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) reply(431, 'request head too large', true)
        return
      }
      if (end > MAX_HEAD_BYTES) return reply(431, 'request head too large', true)
      const req = parseRequestHead(buf.toString('latin1', 0, end))
      if (req === null) return reply(400, 'malformed request', true)
      if (!req.host && req.version === 'HTTP/1.1') return reply(400, 'HTTP/1.1 request without Host', true)
      if (req.chunked) return reply(501, 'chunked request bodies are not supported by the lean proxy', true)
      if (req.contentLength > MAX_BODY_BYTES) return reply(413, 'request body too large', true)
      const total = end + 4 + req.contentLength
      if (buf.length < total) return // the body is still coming
      const body = req.contentLength > 0 ? Buffer.from(buf.subarray(end + 4, total)) : null
      pending = buf.length > total ? buf.subarray(total) : null
      busy = true
      handle(req, body)
    }
    const handle = (req: RequestHead, body: Buffer | null) => {
      const ep = balancer.pick(ctx)
      const measured = accounting.measuring()
      if (ep === undefined) {
        if (measured) accounting.onNoEndpoint()
        if (noEndpointAction(opts) === 'drop') {
          done = true // never answered: the client times out
          return
        }
        reply(503, 'no endpoints', !req.keepAlive)
        // On the next tick, not from here: a client's pipelined requests must not deepen the stack.
        process.nextTick(next)
        return
      }
      if (measured) accounting.onRequestDecision(conn, clientIp, ep.name)
      pools.get(ep, clientIp).send(upstreamRequest(req, clientIp, body, authority), new ClientSink(client, req.keepAlive), req.method === 'HEAD', (err) => {
        balancer.release(ep, { how: 'request', clientIp })
        if (err === undefined) {
          if (req.keepAlive) next()
          else finish()
          return
        }
        if (measured) accounting.onUpstreamFailure(err.code)
        if (err.started === true) {
          client.destroy() // part of the answer went out: the client sees the connection fail
          return
        }
        reply(502, 'bad gateway', !req.keepAlive)
        next()
      })
    }

    client.on('data', (chunk: Buffer) => {
      if (done) return
      pending = pending === null ? chunk : Buffer.concat([pending, chunk])
      if (busy) {
        // Pipelined requests wait; a client far ahead is paused.
        if (pending.length > MAX_HEAD_BYTES + MAX_BODY_BYTES) client.pause()
        return
      }
      take()
    })
    client.on('end', () => {
      clientEnded = true
      if (!busy && !done) finish()
    })
  })
  await listenExclusive(server, opts.host, opts.port)
  return {
    relay: 'l7',
    relayFallback: null,
    close() {
      for (const c of clients) c.destroy()
      server.close()
      for (const p of pools.all()) p.destroy()
    },
  }
}
