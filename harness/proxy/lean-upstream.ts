/**
 * A lean HTTP/1.1 client for svcbench's own pods, used by the L7 node proxy's lean front
 * (lean-front.ts) in place of an undici pool. svcbench's pod speaks one fixed dialect (every
 * response has Content-Length, keep-alive), so a keep-alive socket pool, one request per socket
 * at a time, and a head parser that looks for CRLF CRLF and Content-Length are enough. A
 * response without Content-Length fails the request (502). Your own server (cluster.pod.command)
 * always gets the general client (undici). A kept-alive socket that fails before any response
 * byte is retried once on a new socket. Callbacks, not promises, and each socket's listeners are
 * attached once: this runs once per proxied request.
 */
import net from 'node:net'
import { HOP_BY_HOP } from './forward.ts'

/** Response headers not passed on: hop-by-hop ones, and the length (set again when answering). */
const SKIP = new Set([...HOP_BY_HOP, 'content-length'])
const CRLF2 = Buffer.from('\r\n\r\n')
const EMPTY = Buffer.alloc(0)

/** Where a response goes, as it is read. */
export interface ResponseSink {
  /**
   * The response head: its status line as the pod sent it (`HTTP/1.1 200 OK`), its end-to-end
   * header lines (`Name: value`, hop-by-hop ones and Content-Length left out), the body length.
   */
  head(statusLine: string, lines: string[], length: number): void
  /** Body bytes, in order; `last` on the final piece (an empty final piece for an empty body). */
  body(chunk: Buffer, last: boolean): void
}

/** How a request ended: no error, or the error and whether the sink had been given anything. */
export type SendDone = (err?: Error & { started?: boolean; code?: string }) => void

/** A keep-alive pool of raw sockets to one origin. */
export interface LeanPool {
  /**
   * Send one request (`request`: its head ending in CRLF CRLF, and its body if any) and pass the
   * response to `sink` (`headOnly`: the answer to a HEAD request, whose Content-Length announces
   * a body that is not sent); `done` once the response is complete or the request failed (on a
   * socket failure or a response it cannot frame).
   */
  send(request: string | Buffer, sink: ResponseSink, headOnly: boolean, done: SendDone): void
  destroy(): void
}

/** One request in flight on a socket. */
interface Exchange {
  request: string | Buffer
  sink: ResponseSink
  headOnly: boolean
  done: SendDone
  /** Sent on a kept-alive socket: a failure before any response byte is retried once. */
  reused: boolean
  buf: Buffer | null
  bodyLeft: number
  reusable: boolean
  started: boolean
}

/** A pooled socket and the exchange on it, if any. */
interface Conn {
  sock: net.Socket
  ex: Exchange | null
}

/** Response header names whose length matches a name the client skips (checked before lowercasing). */
const SKIP_LENGTHS = new Set([...SKIP].map((n) => n.length))

/** A response head as the pool reads it. */
interface ResponseHead {
  /** The status line as the pod sent it. */
  statusLine: string
  status: number
  /** End-to-end header lines (hop-by-hop ones and Content-Length left out). */
  lines: string[]
  /** Content-Length, or -1 when there is none. */
  length: number
  /** The pod said `Connection: close`. */
  close: boolean
}

/** The head in `buf` up to `end` (where CRLF CRLF starts). */
function parseHead(buf: Buffer, end: number): ResponseHead {
  const text = buf.toString('latin1', 0, end)
  let eol = text.indexOf('\r\n')
  const statusLine = eol < 0 ? text : text.slice(0, eol)
  const status = Number(statusLine.slice(9, 12))
  const lines: string[] = []
  let length = -1
  let close = false
  while (eol >= 0) {
    const from = eol + 2
    eol = text.indexOf('\r\n', from)
    const line = eol < 0 ? text.slice(from) : text.slice(from, eol)
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    if (SKIP_LENGTHS.has(colon)) {
      const name = line.slice(0, colon).toLowerCase()
      if (SKIP.has(name)) {
        if (name === 'content-length') length = Number(line.slice(colon + 1).trim())
        else if (name === 'connection' && line.slice(colon + 1).trim().toLowerCase() === 'close') close = true
        continue
      }
    }
    lines.push(line)
  }
  return { statusLine, status, lines, length, close }
}

/**
 * Read `chunk` into an exchange still waiting for its response head: `partial` while the head is
 * not complete, `unframed` for a response the pool cannot frame (no Content-Length where a body
 * follows, or not HTTP/1.x), else the head, whether a body follows, and the bytes after the head.
 */
function takeHead(ex: Exchange, chunk: Buffer): (ResponseHead & { bodiless: boolean; rest: Buffer }) | 'partial' | 'unframed' {
  const buf = ex.buf === null ? chunk : Buffer.concat([ex.buf, chunk])
  const end = buf.indexOf(CRLF2)
  if (end < 0) {
    ex.buf = buf
    return 'partial'
  }
  const head = parseHead(buf, end)
  if (head.close) ex.reusable = false
  // No body after a HEAD, a 1xx, 204 or 304, whatever the length says (RFC 9112 §6.3).
  const bodiless = ex.headOnly || head.status < 200 || head.status === 204 || head.status === 304
  if (!head.statusLine.startsWith('HTTP/1.') || !(head.status >= 100 && head.status < 600) || !(head.length >= 0 || bodiless)) return 'unframed'
  ex.buf = null
  return { ...head, bodiless, rest: buf.subarray(end + 4) }
}

/** Pass body bytes of an exchange's response on to its sink; true once the response is complete. */
function takeBody(ex: Exchange, chunk: Buffer): boolean {
  const take = Math.min(ex.bodyLeft, chunk.length)
  ex.bodyLeft -= take
  if (ex.bodyLeft > 0) {
    ex.sink.body(chunk, false)
    return false
  }
  ex.sink.body(take === chunk.length ? chunk : chunk.subarray(0, take), true)
  if (take < chunk.length) ex.reusable = false // bytes past the response: not ours to guess
  return true
}

/** A pool to host:port, connecting from `localAddress`, at most `max` sockets. */
export function createLeanPool(host: string, port: number, localAddress: string, max = 64): LeanPool {
  const idle: Conn[] = []
  const waiting: Exchange[] = []
  const all = new Set<Conn>()
  let closed = false

  /** A socket or a slot came free: the first waiting request takes it. */
  const next = () => {
    const w = waiting.shift()
    if (w !== undefined) start(w)
  }
  /** Take `c` out of the pool (its slot frees); false if it was out already. */
  const retire = (c: Conn): boolean => {
    if (!all.delete(c)) return false
    const i = idle.indexOf(c)
    if (i >= 0) idle.splice(i, 1)
    c.sock.destroy()
    return true
  }
  const finish = (c: Conn) => {
    const ex = c.ex as Exchange
    c.ex = null
    if (!ex.reusable || closed || c.sock.destroyed) retire(c)
    else idle.push(c)
    next()
    ex.done()
  }
  const onData = (c: Conn, chunk: Buffer) => {
    const ex = c.ex
    if (ex === null) {
      c.sock.destroy() // bytes nobody asked for: the socket is out of step
      return
    }
    if (ex.bodyLeft < 0) {
      const h = takeHead(ex, chunk)
      if (h === 'partial') return
      if (h === 'unframed') {
        c.ex = null
        retire(c)
        next()
        ex.done(Object.assign(new Error('upstream response without Content-Length'), { started: false }))
        return
      }
      ex.started = true
      ex.sink.head(h.statusLine, h.lines, Math.max(0, h.length))
      ex.bodyLeft = h.bodiless ? 0 : h.length
      if (h.rest.length > 0) onData(c, h.rest)
      else if (ex.bodyLeft === 0) {
        ex.sink.body(EMPTY, true)
        finish(c)
      }
      return
    }
    if (takeBody(ex, chunk)) finish(c)
  }
  /**
   * The socket failed or closed: its exchange, if any, fails, except that a request sent on a
   * kept-alive socket the pod had closed goes once more on a new one (as undici does), in the
   * same slot. Otherwise the slot goes to the next waiting request.
   */
  const onGone = (c: Conn, err: Error) => {
    const ex = c.ex
    c.ex = null
    const held = retire(c)
    if (ex !== null && ex.reused && !ex.started && ex.buf === null) {
      ex.reused = false
      ex.bodyLeft = -1
      ex.reusable = true
      connect(ex)
      return
    }
    if (held) next()
    ex?.done(Object.assign(err, { started: ex.started }))
  }
  /** A new socket for `ex`. */
  const connect = (ex: Exchange) => {
    const sock = net.connect({ host, port, localAddress, noDelay: true })
    const c: Conn = { sock, ex }
    all.add(c)
    let gone = false
    const gone1 = (err: Error) => {
      if (gone) return
      gone = true
      onGone(c, err)
    }
    sock.on('data', (chunk: Buffer) => onData(c, chunk))
    // A connect failure reaches the request with its code (ECONNREFUSED: a dead pod).
    sock.on('error', (e: Error) => gone1(e))
    sock.on('close', () => gone1(new Error('upstream closed the connection')))
    sock.once('connect', () => {
      if (c.ex !== null) sock.write(c.ex.request)
    })
  }
  const start = (ex: Exchange) => {
    if (closed) {
      ex.done(Object.assign(new Error('pool closed'), { started: false }))
      return
    }
    const c = idle.pop()
    if (c !== undefined) {
      ex.reused = true
      c.ex = ex
      c.sock.write(ex.request)
    } else if (all.size < max) connect(ex)
    else waiting.push(ex)
  }

  return {
    send(request, sink, headOnly, done) {
      start({ request, sink, headOnly, done, reused: false, buf: null, bodyLeft: -1, reusable: true, started: false })
    },
    destroy() {
      closed = true
      for (const c of all) c.sock.destroy()
      for (const w of waiting.splice(0)) w.done(Object.assign(new Error('pool closed'), { started: false }))
    },
  }
}
