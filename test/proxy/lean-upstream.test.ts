import { describe, it, expect, afterEach } from 'vitest'
import net from 'node:net'
import { createLeanPool, type ResponseSink, type SendDone } from '../../harness/proxy/lean-upstream.ts'

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

/** Send through `send`, collecting what the sink is given. */
async function viaSink(send: (sink: ResponseSink, done: SendDone) => void): Promise<{ statusLine: string; lines: string[]; length: number; body: string; lastSeen: boolean; err?: unknown }> {
  const out = { statusLine: '', lines: [] as string[], length: -1, body: '', lastSeen: false, err: undefined as unknown }
  await new Promise<void>((resolve) =>
    send(
      {
        head(statusLine, lines, length) {
          Object.assign(out, { statusLine, lines, length })
        },
        body(chunk, last) {
          out.body += chunk.toString('latin1')
          out.lastSeen ||= last
        },
      },
      (err) => {
        out.err = err
        resolve()
      },
    ),
  )
  return out
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
    const a = await viaSink((sink, done) => pool.send('GET / HTTP/1.1\r\nhost: x\r\n\r\n', sink, false, done))
    const b = await viaSink((sink, done) => pool.send('GET / HTTP/1.1\r\nhost: x\r\n\r\n', sink, false, done))
    // Hop-by-hop headers and the length are the front's to set; the rest passes as it came.
    expect(a).toMatchObject({ statusLine: 'HTTP/1.1 200 OK', lines: ['X-Svcbench-Pod: pod-1'], length: 7, body: 'hello 1', lastSeen: true })
    expect(b.body).toBe('hello 2') // the same upstream socket: its second request
  })

  it('a response without Content-Length fails the request (502); a socket the server closed after answering is not reused', async () => {
    const chunked = await rawServer((_n, sock) => sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'))
    cleanup.push(chunked.close)
    const p1 = createLeanPool('127.0.0.1', chunked.port, '127.0.0.1')
    cleanup.push(() => p1.destroy())
    const r = await viaSink((sink, done) => p1.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))
    expect(r.statusLine).toBe('') // nothing reached the sink
    expect(String(r.err)).toMatch(/without Content-Length/)
    expect((r.err as { started?: boolean }).started).toBe(false)

    // The server closes every socket after its first answer (without saying so).
    const closing = await rawServer((n, sock) => {
      sock.end(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`)
      void n
    })
    cleanup.push(closing.close)
    const p2 = createLeanPool('127.0.0.1', closing.port, '127.0.0.1')
    cleanup.push(() => p2.destroy())
    expect((await viaSink((sink, done) => p2.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))).body).toBe('ok')
    await new Promise((r) => setTimeout(r, 50))
    expect((await viaSink((sink, done) => p2.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))).body).toBe('ok')
  })

  it('takes no body after HEAD and 204 whatever the length says, and the socket stays usable', async () => {
    const up = await rawServer((n, sock) => {
      if (n === 1) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n') // the answer to HEAD
      else if (n === 2) sock.write('HTTP/1.1 204 No Content\r\n\r\n')
      else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes')
    })
    cleanup.push(up.close)
    const pool = createLeanPool('127.0.0.1', up.port, '127.0.0.1', 1)
    cleanup.push(() => pool.destroy())
    expect(await viaSink((sink, done) => pool.send('HEAD / HTTP/1.1\r\n\r\n', sink, true, done))).toMatchObject({ length: 5, body: '', lastSeen: true })
    expect(await viaSink((sink, done) => pool.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))).toMatchObject({ statusLine: 'HTTP/1.1 204 No Content', length: 0, body: '' })
    expect((await viaSink((sink, done) => pool.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))).body).toBe('yes')
  })

  it('queues requests beyond its sockets and runs them in turn; a kept-alive socket closed under a request is retried on a new one', async () => {
    let sockets = 0
    const up = await rawServer((n, sock) => {
      if (n === 1) sockets++
      // The second request on a socket: the pod closes without answering (a keep-alive race).
      if (n === 2) sock.destroy()
      else sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${n}`)
    })
    cleanup.push(up.close)
    const pool = createLeanPool('127.0.0.1', up.port, '127.0.0.1', 1)
    cleanup.push(() => pool.destroy())
    const three = await Promise.all([1, 2, 3].map(() => viaSink((sink, done) => pool.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))))
    // One socket at a time: the first answers, the second request dies with its socket and goes
    // again on a new one, the third waits its turn.
    expect(three.map((r) => [r.body, r.err])).toEqual([
      ['1', undefined],
      ['1', undefined],
      ['1', undefined],
    ])
    expect(sockets).toBe(3)
  })

  it('a failed request frees its socket for the next waiting one: every queued request gets its answer or its error', async () => {
    // Nothing listens: every connect is refused. Two requests wait behind the first.
    const closed = await rawServer(() => {})
    closed.close()
    await new Promise((r) => setTimeout(r, 20))
    const pool = createLeanPool('127.0.0.1', closed.port, '127.0.0.1', 1)
    cleanup.push(() => pool.destroy())
    const three = await Promise.all([1, 2, 3].map(() => viaSink((sink, done) => pool.send('GET / HTTP/1.1\r\n\r\n', sink, false, done))))
    expect(three.map((r) => (r.err as { code?: string } | undefined)?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED'])
  })
})
