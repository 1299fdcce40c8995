/**
 * A lean HTTP/1.1 client for svcbench's own pods, used by the L7 node proxy in place of an undici
 * pool. svcbench's pod speaks one fixed dialect (every response has Content-Length, keep-alive),
 * so a keep-alive socket pool, one request per socket at a time, and a head parser that looks for
 * CRLF CRLF and Content-Length are enough. A request with a body goes to the caller's general
 * client instead; a response without Content-Length fails the request (502). Your own server
 * (cluster.pod.command) always gets the general client. A kept-alive socket that fails before
 * any response byte is retried once on a new socket.
 */
import net from 'node:net'
import type http from 'node:http'
import { HOP_BY_HOP, forwardedFor } from './forward.ts'

/** Response headers not passed on: hop-by-hop ones, and the length (set again when answering). */
const SKIP = new Set([...HOP_BY_HOP, 'content-length'])
const CRLF2 = Buffer.from('\r\n\r\n')

/** A keep-alive pool of raw sockets to one origin. */
export interface LeanPool {
  /**
   * Send one bodiless request (`head` is the full request head, ending in CRLF CRLF) and answer
   * `res` with the response. Rejects on a socket failure or a response it cannot frame.
   */
  send(head: string, res: http.ServerResponse): Promise<void>
  destroy(): void
}

interface Waiter {
  resolve: (s: net.Socket) => void
  reject: (e: Error) => void
}

/** A pool to host:port, connecting from `localAddress`, at most `max` sockets. */
export function createLeanPool(host: string, port: number, localAddress: string, max = 64): LeanPool {
  const idle: net.Socket[] = []
  const waiting: Waiter[] = []
  const all = new Set<net.Socket>()
  let closed = false

  const acquire = (): Promise<net.Socket> => {
    const s = idle.pop()
    if (s !== undefined) return Promise.resolve(s)
    if (all.size < max) {
      return new Promise((resolve, reject) => {
        const sock = net.connect({ host, port, localAddress, noDelay: true })
        sock.on('error', () => {}) // an idle socket's reset is handled by its 'close'
        all.add(sock)
        sock.once('close', () => {
          all.delete(sock)
          const i = idle.indexOf(sock)
          if (i >= 0) idle.splice(i, 1)
        })
        sock.once('connect', () => resolve(sock))
        sock.once('error', reject)
      })
    }
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
  }
  const releaseSocket = (s: net.Socket, reusable: boolean) => {
    if (!reusable || closed || s.destroyed) {
      s.destroy()
      // A slot freed: a waiter may connect anew.
      const w = waiting.shift()
      if (w !== undefined) acquire().then(w.resolve, w.reject)
      return
    }
    const w = waiting.shift()
    if (w !== undefined) w.resolve(s)
    else idle.push(s)
  }

  /** One exchange on `sock`; a failure before any response byte on a reused socket is retryable. */
  const exchange = (sock: net.Socket, head: string, res: http.ServerResponse, reused: boolean) =>
      new Promise<void>((resolve, reject) => {
        let buf: Buffer | null = null
        let bodyLeft = -1
        let reusable = true
        const done = (err?: Error) => {
          sock.off('data', onData)
          sock.off('error', onError)
          sock.off('close', onClose)
          if (err !== undefined) {
            sock.destroy()
            releaseSocket(sock, false)
            reject(Object.assign(err, { retryable: reused && !res.headersSent && buf === null }))
          } else {
            releaseSocket(sock, reusable)
            resolve()
          }
        }
        const onError = (e: Error) => done(e)
        const onClose = () => done(new Error('upstream closed the connection'))
        const onData = (chunk: Buffer) => {
          if (bodyLeft < 0) {
            buf = buf === null ? chunk : Buffer.concat([buf, chunk])
            const end = buf.indexOf(CRLF2)
            if (end < 0) return
            const lines = buf.toString('latin1', 0, end).split('\r\n')
            const status = Number(lines[0]?.slice(9, 12))
            const headers: Record<string, string> = {}
            let length = -1
            for (let i = 1; i < lines.length; i++) {
              const line = lines[i] as string
              const c = line.indexOf(':')
              if (c <= 0) continue
              const name = line.slice(0, c).trim().toLowerCase()
              const value = line.slice(c + 1).trim()
              if (name === 'content-length') length = Number(value)
              else if (name === 'connection' && value.toLowerCase() === 'close') reusable = false
              if (!SKIP.has(name)) headers[name] = value
            }
            if (!(status >= 100 && status < 600) || !(length >= 0)) {
              done(new Error('upstream response without Content-Length'))
              return
            }
            res.writeHead(status, { ...headers, 'content-length': String(length) })
            const body = buf.subarray(end + 4)
            buf = null
            bodyLeft = length
            if (body.length > 0) onData(body)
            else if (bodyLeft === 0) {
              res.end()
              done()
            }
            return
          }
          const take = Math.min(bodyLeft, chunk.length)
          bodyLeft -= take
          if (bodyLeft === 0) {
            res.end(take === chunk.length ? chunk : chunk.subarray(0, take))
            if (take < chunk.length) reusable = false // bytes past the response: not ours to guess
            done()
          } else res.write(chunk)
        }
        sock.on('data', onData)
        sock.once('error', onError)
        sock.once('close', onClose)
        sock.write(head)
      })

  return {
    async send(head, res) {
      const reused = idle.length > 0
      try {
        await exchange(await acquire(), head, res, reused)
      } catch (e) {
        // A kept-alive socket the pod had closed: once more on a new one (as undici does).
        if ((e as { retryable?: boolean }).retryable !== true) throw e
        await exchange(await acquire(), head, res, false)
      }
    },
    destroy() {
      closed = true
      for (const s of all) s.destroy()
      for (const w of waiting.splice(0)) w.reject(new Error('pool closed'))
    },
  }
}

/** Request headers not forwarded upstream as they are (X-Forwarded-For is rewritten). */
const HOP_BY_HOP_REQ = new Set([...HOP_BY_HOP, 'x-forwarded-for'])

/** The request head to send upstream: end-to-end headers, X-Forwarded-For appended, keep-alive. */
export function upstreamHead(req: http.IncomingMessage, clientIp: string): string {
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (!HOP_BY_HOP_REQ.has(name.toLowerCase())) head += `${name}: ${raw[i + 1]}\r\n`
  }
  head += `x-forwarded-for: ${forwardedFor(req, clientIp)}\r\nconnection: keep-alive\r\n\r\n`
  return head
}
