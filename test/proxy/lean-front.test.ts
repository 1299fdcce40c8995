import { describe, expect, it } from 'vitest'
import http from 'node:http'
import net from 'node:net'
import { parseRequestHead, upstreamRequest } from '../../harness/proxy/lean-front.ts'
import { startL7Proxy } from '../../harness/proxy/l7.ts'
import { createAccounting } from '../../harness/proxy/accounting.ts'
import { createBalancer } from '../../harness/balancers/registry.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { createRng } from '../../harness/util/rng.ts'
import type { Endpoint } from '../../harness/model/kube-proxy.ts'

describe('parseRequestHead', () => {
  it.each([
    ['GET / HTTP/1.1\r\nHost: a', { method: 'GET', target: '/', version: 'HTTP/1.1', lines: ['Host: a'], keepAlive: true, contentLength: 0, chunked: false, forwardedFor: null, host: true }],
    ['GET /x?y=1 HTTP/1.1\r\nConnection: close', { target: '/x?y=1', lines: [], keepAlive: false }],
    ['GET / HTTP/1.1\r\nConnection: Keep-Alive, Close', { keepAlive: false }],
    ['GET / HTTP/1.0', { version: 'HTTP/1.0', keepAlive: false }],
    ['GET / HTTP/1.0\r\nConnection: keep-alive', { keepAlive: true }],
    ['POST /p HTTP/1.1\r\nContent-Length: 12\r\nX-A: 1', { method: 'POST', contentLength: 12, lines: ['X-A: 1'] }],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked', { chunked: true }],
    ['GET / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2', { forwardedFor: '10.0.0.1, 10.0.0.2', lines: [] }],
    ['GET / HTTP/1.1\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nTE: trailers\r\nExpect: 100-continue\r\nX-Trace: t', { lines: ['X-Trace: t'] }],
  ])('%j', (head, expected) => {
    expect(parseRequestHead(head)).toMatchObject(expected)
  })
  it.each([
    'GET /',
    'GET / HTTP/2.0',
    'GET  HTTP/1.1',
    'G(T / HTTP/1.1',
    'GET / HTTP/1.1\r\nno colon here',
    'GET / HTTP/1.1\r\nBad Name: x',
    'POST / HTTP/1.1\r\nContent-Length: -1',
    'POST / HTTP/1.1\r\nContent-Length: 1.5',
    'POST / HTTP/1.1\r\nContent-Length: ',
  ])('refuses %j', (head) => {
    expect(parseRequestHead(head)).toBeNull()
  })
})

describe('upstreamRequest', () => {
  it('forwards end-to-end headers, appends the client to X-Forwarded-For, asks for keep-alive, frames a body', () => {
    const req = parseRequestHead('POST /a HTTP/1.0\r\nHost: h\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\nContent-Length: 3')!
    const out = upstreamRequest(req, '127.9.128.1', Buffer.from('abc'))
    expect(out.toString()).toBe('POST /a HTTP/1.1\r\nHost: h\r\nx-forwarded-for: 10.0.0.1, 127.9.128.1\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\nabc')
    // HTTP/1.0 without Host: upstream it is HTTP/1.1, which needs one.
    expect(upstreamRequest(parseRequestHead('GET / HTTP/1.0')!, '127.9.128.2', null, '127.9.1.1:30080')).toBe('GET / HTTP/1.1\r\nhost: 127.9.1.1:30080\r\nx-forwarded-for: 127.9.128.2\r\nconnection: keep-alive\r\n\r\n')
  })
})

/** Raw bytes in, everything the proxy answers until it closes (or `ms` pass). */
function exchange(host: string, port: number, localAddress: string, bytes: string, ms = 500): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, localAddress })
    let text = ''
    const timer = setTimeout(() => {
      s.destroy()
      resolve({ text, closed: false })
    }, ms)
    s.on('data', (b: Buffer) => (text += b.toString('latin1')))
    s.on('error', () => {})
    s.on('close', () => {
      clearTimeout(timer)
      resolve({ text, closed: true })
    })
    s.write(bytes)
  })
}

describe('the lean L7 proxy (svcbench pods)', () => {
  async function setup(endpoints: (p: Awaited<ReturnType<typeof leaseBlock>>['plan']) => Endpoint[], onNoEndpoint: 'reject' | 'drop' = 'reject') {
    const lease = await leaseBlock()
    const p = lease.plan
    // The pod answers with what it saw: method, path, body length, X-Forwarded-For, TCP source.
    const pod = http.createServer((req, res) => {
      let n = 0
      req.on('data', (c: Buffer) => (n += c.length))
      req.on('end', () => res.end(`${req.method} ${req.url} body=${n} xff=${req.headers['x-forwarded-for']} src=${req.socket.remoteAddress}`))
    })
    await new Promise<void>((r) => pod.listen({ host: p.pod(0), port: 8080 }, r))
    const balancer = createBalancer('round-robin', { rng: createRng(1) })
    balancer.update(endpoints(p))
    const accounting = createAccounting('node-a')
    const proxy = await startL7Proxy({ host: p.node(0), port: 30080, balancer, accounting, route: (ep) => ({ host: ep.address, port: ep.port, localAddress: p.node(0) }), onNoEndpoint, lean: true })
    return {
      p,
      accounting,
      send: (bytes: string, ms?: number) => exchange(p.node(0), 30080, p.client(0), bytes, ms),
      async close() {
        proxy.close()
        pod.close()
        await lease.release()
      },
    }
  }
  const onePod = (p: { pod(i: number): string }): Endpoint[] => [{ name: 'pod-1', address: p.pod(0), port: 8080, node: 'node-a' }]

  it('answers pipelined requests in order on one kept-alive connection, with bodies, HEAD and X-Forwarded-For', async () => {
    const t = await setup(onePod)
    try {
      const r = await t.send('GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloHEAD /c HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.1.1.1\r\n\r\n')
      expect(r.closed).toBe(false) // kept alive
      const bodies = r.text.split('HTTP/1.1 200 OK').slice(1)
      expect(bodies).toHaveLength(4)
      expect(bodies[0]).toContain(`GET /a body=0 xff=${t.p.client(0)} src=${t.p.node(0)}`)
      expect(bodies[1]).toContain('POST /b body=5')
      expect(bodies[2]).toMatch(/content-length: \d+\r\nconnection: keep-alive\r\n\r\n$/) // HEAD: the head only
      expect(bodies[3]).toContain(`GET /d body=0 xff=10.1.1.1, ${t.p.client(0)}`)
      expect(r.text).not.toMatch(/keep-alive: timeout/i) // the pod's hop-by-hop headers stay behind
    } finally {
      await t.close()
    }
  })

  it('closes after the answer when the client asks (Connection: close, HTTP/1.0) and after a half-close', async () => {
    const t = await setup(onePod)
    try {
      for (const req of ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET / HTTP/1.0\r\n\r\n']) {
        const r = await t.send(req)
        expect(r.closed).toBe(true)
        expect(r.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close\r\n\r\nGET \/ body=0/)
      }
      const half = await new Promise<string>((resolve) => {
        const s = net.connect({ host: t.p.node(0), port: 30080, localAddress: t.p.client(0) })
        let text = ''
        s.on('data', (b: Buffer) => (text += b.toString()))
        s.on('close', () => resolve(text))
        s.end('GET /last HTTP/1.1\r\nHost: x\r\n\r\n')
      })
      expect(half).toContain('GET /last body=0')
    } finally {
      await t.close()
    }
  })

  it('refuses what it does not take with a status and a close: malformed (400), chunked (501), oversized head (431)', async () => {
    const t = await setup(onePod)
    try {
      expect(await t.send('HELLO\r\n\r\n')).toMatchObject({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 400 /) })
      expect(await t.send('GET / HTTP/1.1\r\n\r\n')).toMatchObject({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 400 [\s\S]*without Host$/) })
      expect(await t.send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n')).toMatchObject({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 501 /) })
      expect(await t.send(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`)).toMatchObject({ closed: true, text: expect.stringMatching(/^HTTP\/1\.1 431 /) })
    } finally {
      await t.close()
    }
  })

  it('a dead pod answers 502 and counts a connect error; the connection goes on to the live pod', async () => {
    const t = await setup((p) => [{ name: 'pod-0', address: p.pod(1), port: 8080, node: 'node-a' }, ...onePod(p)])
    try {
      t.accounting.reset(Date.now() - 1)
      const r = await t.send('GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n')
      expect(r.text).toMatch(/^HTTP\/1\.1 502 Bad Gateway[\s\S]*HTTP\/1\.1 200 OK[\s\S]*GET \/2 body=0/)
      expect(r.closed).toBe(false)
      const s = t.accounting.snapshot()
      expect([s.upstreamConnectErrors, s.decisions, s.connections]).toEqual([1, 2, 1])
    } finally {
      await t.close()
    }
  })

  it('no endpoint: 503 (reject), or no answer at all (drop: the client times out)', async () => {
    for (const mode of ['reject', 'drop'] as const) {
      const t = await setup(() => [], mode)
      try {
        const r = await t.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 300)
        if (mode === 'reject') {
          expect(r.text).toMatch(/^HTTP\/1\.1 503 Service Unavailable/)
          // Thousands of pipelined requests answered at once: each a 503, in turn, without a deep stack.
          const many = await t.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(20_000), 1500)
          expect(many.text.split('HTTP/1.1 503 ').length - 1).toBe(20_000)
        }
        else expect(r).toEqual({ text: '', closed: false })
      } finally {
        await t.close()
      }
    }
  })
})
