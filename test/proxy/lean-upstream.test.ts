import { describe, it, expect, afterEach } from 'vitest'
import net from 'node:net'
import http from 'node:http'
import { createLeanPool, upstreamHead } from '../../harness/proxy/lean-upstream.ts'

/** A raw upstream that answers each request head with `reply(n)` (n = requests so far on the socket). */
async function rawServer(reply: (n: number, sock: net.Socket) => void): Promise<{ port: number; close(): void; heads: string[] }> {
  const heads: string[] = []
  const srv = net.createServer((sock) => {
    let buf = ''
    let n = 0
    sock.on('data', (b) => {
      buf += b.toString('latin1')
      let i
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        heads.push(buf.slice(0, i))
        buf = buf.slice(i + 4)
        reply(++n, sock)
      }
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close(), heads }
}

/** Send through `send` as a real http.ServerResponse, read what the client gets. */
async function viaProxy(send: (res: http.ServerResponse) => Promise<void>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; err?: unknown }> {
  let err: unknown
  const front = http.createServer((_req, res) => {
    send(res).catch((e) => {
      err = e
      res.writeHead(502).end()
    })
  })
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
  const port = (front.address() as net.AddressInfo).port
  const out = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
  })
  front.close()
  return { ...out, err }
}

const cleanup: (() => void)[] = []
afterEach(() => cleanup.splice(0).forEach((f) => f()))

describe('lean upstream client (L7 proxy, svcbench pods)', () => {
  it('frames by Content-Length across split chunks, keeps the socket alive, passes end-to-end headers', async () => {
    const up = await rawServer((n, sock) => {
      const body = `hello ${n}`
      const msg = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nX-Svcbench-Pod: pod-1\r\nConnection: keep-alive\r\n\r\n${body}`
      // split the response at every third byte
      for (let i = 0; i < msg.length; i += 3) sock.write(msg.slice(i, i + 3))
    })
    cleanup.push(up.close)
    const pool = createLeanPool('127.0.0.1', up.port, '127.0.0.1', 4)
    cleanup.push(() => pool.destroy())
    const a = await viaProxy((res) => pool.send('GET / HTTP/1.1\r\nhost: x\r\n\r\n', res))
    const b = await viaProxy((res) => pool.send('GET / HTTP/1.1\r\nhost: x\r\n\r\n', res))
    expect([a.status, a.body, a.headers['x-svcbench-pod']]).toEqual([200, 'hello 1', 'pod-1'])
    expect(b.body).toBe('hello 2') // the same upstream socket: its second request
  })

  it('a response without Content-Length fails the request (502); a socket the server closed after answering is not reused', async () => {
    const chunked = await rawServer((_n, sock) => sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'))
    cleanup.push(chunked.close)
    const p1 = createLeanPool('127.0.0.1', chunked.port, '127.0.0.1')
    cleanup.push(() => p1.destroy())
    const r = await viaProxy((res) => p1.send('GET / HTTP/1.1\r\n\r\n', res))
    expect(r.status).toBe(502)
    expect(String(r.err)).toMatch(/without Content-Length/)

    // The server closes every socket after its first answer (without saying so).
    const closing = await rawServer((n, sock) => {
      sock.end(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`)
      void n
    })
    cleanup.push(closing.close)
    const p2 = createLeanPool('127.0.0.1', closing.port, '127.0.0.1')
    cleanup.push(() => p2.destroy())
    expect((await viaProxy((res) => p2.send('GET / HTTP/1.1\r\n\r\n', res))).body).toBe('ok')
    await new Promise((r) => setTimeout(r, 50))
    expect((await viaProxy((res) => p2.send('GET / HTTP/1.1\r\n\r\n', res))).body).toBe('ok')
  })

  it('upstreamHead drops hop-by-hop headers, appends the client to X-Forwarded-For, asks for keep-alive', async () => {
    let head = ''
    const front = http.createServer((req, res) => {
      head = upstreamHead(req, '127.9.128.1')
      res.end()
    })
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
    cleanup.push(() => front.close())
    await new Promise<void>((resolve) =>
      http.get({ host: '127.0.0.1', port: (front.address() as net.AddressInfo).port, path: '/a?b=1', agent: false, headers: { 'X-Forwarded-For': '10.0.0.1', Connection: 'close', 'X-Trace': 't1' } }, (res) => res.resume().on('end', () => resolve())),
    )
    expect(head.startsWith('GET /a?b=1 HTTP/1.1\r\n')).toBe(true)
    expect(head).toContain('X-Trace: t1\r\n')
    expect(head).not.toMatch(/^Connection: close/im)
    expect(head).toContain('x-forwarded-for: 10.0.0.1, 127.9.128.1\r\n')
    expect(head.endsWith('connection: keep-alive\r\n\r\n')).toBe(true)
  })
})
