import { beforeEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import net from 'node:net'
import { startL4Proxy } from '../../harness/proxy/l4.ts'
import { defaultRelay } from '../../harness/proxy/relay/mode.ts'
import { nativeRelay } from '../../harness/proxy/relay/native.ts'
import { startHopRelay } from '../../harness/proxy/hop.ts'
import { createAccounting } from '../../harness/proxy/accounting.ts'
import { createBalancer } from '../../harness/balancers/registry.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { createRng } from '../../harness/util/rng.ts'
import type { Endpoint } from '../../harness/model/kube-proxy.ts'
import type { RelayMode } from '../../harness/proxy/relay/mode.ts'
import { requireInCi } from '../helpers/ci.ts'

function get(host: string, port: number, localAddress: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', localAddress, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
  })
}

describe('startL4Proxy', () => {
  async function setup(algorithm: 'userspace' | 'round-robin') {
    const lease = await leaseBlock()
    const p = lease.plan
    const pod = http.createServer((_req, res) => res.end('ok'))
    await new Promise<void>((r) => pod.listen({ host: p.pod(1), port: 8080 }, r))
    const eps: Endpoint[] = [
      { name: 'pod-1', address: p.pod(0), port: 8080, node: 'node-a' }, // nothing listens: connect refused
      { name: 'pod-2', address: p.pod(1), port: 8080, node: 'node-a' },
    ]
    const balancer = createBalancer(algorithm, { rng: createRng(1) })
    balancer.update(eps)
    const accounting = createAccounting('node-a')
    const proxy = await startL4Proxy({
      host: p.node(0),
      port: 30080,
      balancer,
      accounting,
      route: (ep, clientIp) => ({ host: ep.address, port: ep.port, localAddress: clientIp }),
      onNoEndpoint: 'reject',
    })
    const results = []
    for (let i = 0; i < 6; i++) results.push(await get(p.node(0), 30080, p.client(i)))
    proxy.close()
    pod.close()
    await lease.release()
    return { results, accounting }
  }
  it('userspace mode retries the next endpoint when a connect fails: every request succeeds', async () => {
    const { results, accounting } = await setup('userspace')
    expect(results).toEqual([200, 200, 200, 200, 200, 200])
    // Round robin alternates, so every connection tries the dead endpoint first, then the next.
    expect(accounting.snapshot().upstreamConnectErrors).toBe(6)
  })
  it('ipvs rr does not: connections sent to the dead endpoint are reset', async () => {
    const { results } = await setup('round-robin')
    expect(results.filter((r) => r === 200)).toHaveLength(3)
    expect(results.filter((r) => r === 'ECONNRESET')).toHaveLength(3)
  })
  it('userspace mode dials at most four times (EndpointDialTimeouts): six dead endpoints cost four connect errors, then the client is refused', async () => {
    const lease = await leaseBlock()
    const p = lease.plan
    // Nothing listens on any of the six: each dial is refused at once.
    const dead: Endpoint[] = Array.from({ length: 6 }, (_, i) => ({ name: `pod-${i + 1}`, address: p.pod(i), port: 8080, node: 'node-a' }))
    const balancer = createBalancer('userspace', { rng: createRng(1) })
    balancer.update(dead)
    const accounting = createAccounting('node-a')
    const proxy = await startL4Proxy({ host: p.node(0), port: 30080, balancer, accounting, route: (ep, clientIp) => ({ host: ep.address, port: ep.port, localAddress: clientIp }), onNoEndpoint: 'reject' })
    const outcome = await get(p.node(0), 30080, p.client(0))
    proxy.close()
    await lease.release()
    // proxysocket.go TryConnectEndpoints: one dial per timeout in [250ms, 500ms, 1s, 2s], then it gives up.
    expect(accounting.snapshot().upstreamConnectErrors).toBe(4)
    expect(outcome).toBe('ECONNRESET')
  })
  it('userspace mode gives up on a dial after 250 ms and dials the next endpoint', async () => {
    const lease = await leaseBlock()
    const p = lease.plan
    // pod-1 is behind a hop relay that accepts and never confirms the connect: the dial hangs.
    const silent = net.createServer(() => {})
    await new Promise<void>((r) => silent.listen({ host: p.node(1), port: 31000 }, r))
    const pod = http.createServer((_req, res) => res.end('ok'))
    await new Promise<void>((r) => pod.listen({ host: p.pod(1), port: 8080 }, r))
    const eps: Endpoint[] = [
      { name: 'pod-1', address: p.pod(0), port: 8080, node: 'node-b' },
      { name: 'pod-2', address: p.pod(1), port: 8080, node: 'node-a' },
    ]
    const balancer = createBalancer('userspace', { rng: createRng(1) })
    balancer.update(eps)
    const route = (ep: Endpoint, clientIp: string) => (ep.name === 'pod-1' ? { host: p.node(1), port: 31000, localAddress: p.node(0), viaHop: true } : { host: ep.address, port: ep.port, localAddress: clientIp })
    const proxy = await startL4Proxy({ host: p.node(0), port: 30080, balancer, accounting: createAccounting('node-a'), route, onNoEndpoint: 'reject' })
    const t0 = Date.now()
    const status = await get(p.node(0), 30080, p.client(0))
    const tookMs = Date.now() - t0
    proxy.close()
    silent.close()
    pod.close()
    await lease.release()
    expect(status).toBe(200)
    // The first dial's timeout is 250 ms; then pod-2 answers at once (a second's slack for a busy machine).
    expect(tookMs).toBeGreaterThanOrEqual(240)
    expect(tookMs).toBeLessThan(1250)
  })
  it('rejects when no endpoint is available (REJECT) and drops under Local (no answer)', async () => {
    const lease = await leaseBlock()
    const p = lease.plan
    for (const onNoEndpoint of ['reject', 'drop'] as const) {
      const balancer = createBalancer('round-robin', { rng: createRng(1) })
      const proxy = await startL4Proxy({ host: p.node(0), port: 30080, balancer, accounting: createAccounting('n'), route: () => ({ host: '', port: 0, localAddress: '' }), onNoEndpoint })
      const outcome = await new Promise<string>((resolve) => {
        const s = net.connect({ host: p.node(0), port: 30080, localAddress: p.client(0) })
        s.setTimeout(300, () => {
          s.destroy()
          resolve('timeout')
        })
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
        s.on('close', () => resolve('closed'))
        s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
      })
      expect(outcome).toBe(onNoEndpoint === 'reject' ? 'ECONNRESET' : 'timeout')
      proxy.close()
    }
    await lease.release()
  })
})

// Without the addon the proxy would quietly relay `native` tests with `raw`: skip them instead,
// and under CI (which has python3, make and g++ for npm ci to build it) fail them.
const NATIVE_RELAY = 'the native relay (build/Release/svcbench_relay.node: npm ci builds it with python3, make and g++)'

describe.each(['native', 'raw', 'onread', 'data'] as RelayMode[])('the L4 relay (%s)', (relay) => {
  // Looked for when a test runs, not at collection (nativeRelay() starts the relay thread).
  if (relay === 'native') beforeEach((ctx) => requireInCi(NATIVE_RELAY, nativeRelay() !== null)(ctx))
  /** A proxy in front of one pod server; `use` gets the proxy's address. */
  async function withPod(pod: net.Server, use: (host: string, clientIp: string) => Promise<void>, accounting = createAccounting('node-a')) {
    const lease = await leaseBlock()
    const p = lease.plan
    await new Promise<void>((r) => pod.listen({ host: p.pod(0), port: 8080 }, r))
    const balancer = createBalancer('round-robin', { rng: createRng(1) })
    balancer.update([{ name: 'pod-1', address: p.pod(0), port: 8080, node: 'node-a' }])
    const proxy = await startL4Proxy({ host: p.node(0), port: 30080, balancer, accounting, route: (ep) => ({ host: ep.address, port: ep.port, localAddress: p.node(0) }), onNoEndpoint: 'reject', relay })
    try {
      await use(p.node(0), p.client(0))
    } finally {
      proxy.close()
      pod.close()
      await lease.release()
    }
  }
  it('moves large transfers byte-exact both ways under backpressure, and passes the half-close on', async () => {
    const size = 8 * 1024 * 1024
    // Not periodic: a relay that let a read overwrite a pending write would show.
    const pattern = (seed: number) => {
      const rng = createRng(seed)
      const b = Buffer.allocUnsafe(size)
      for (let i = 0; i < size; i++) b[i] = Math.floor(rng() * 256)
      return b
    }
    const up = pattern(7)
    const down = pattern(11)
    // The "pod" reads the whole upload slowly (its reads pause, so the proxy's writes to it back up),
    // then answers with the download and closes.
    const pod = net.createServer((s) => {
      const got: Buffer[] = []
      s.on('data', (c: Buffer) => {
        got.push(c)
        s.pause()
        setTimeout(() => s.resume(), 1)
      })
      s.on('end', () => {
        const all = Buffer.concat(got)
        s.end(Buffer.concat([Buffer.from(all.equals(up) ? 'OK' : 'XX'), down]))
      })
    })
    await withPod(pod, async (host, clientIp) => {
      const answer = await new Promise<Buffer>((resolve, reject) => {
        const s = net.connect({ host, port: 30080, localAddress: clientIp })
        const got: Buffer[] = []
        // The client also reads slowly, so the proxy's writes back to it back up too.
        s.on('data', (c: Buffer) => {
          got.push(c)
          s.pause()
          setTimeout(() => s.resume(), 1)
        })
        s.on('end', () => resolve(Buffer.concat(got)))
        s.on('error', reject)
        s.end(up) // half-close: the pod answers only after seeing the end of the upload
      })
      expect(answer.subarray(0, 2).toString()).toBe('OK')
      expect(answer.length).toBe(size + 2)
      expect(answer.subarray(2).equals(down)).toBe(true)
    })
  }, 10_000)

  it('a pod that resets mid-answer resets the client; a client that resets mid-upload closes the pod side; the proxy goes on', async () => {
    let podSockets = 0
    const podClosed: Promise<void>[] = []
    const pod = net.createServer((s) => {
      podSockets++
      podClosed.push(new Promise((r) => s.on('close', () => r())))
      s.on('error', () => {})
      s.once('data', (c: Buffer) => {
        if (c.toString().startsWith('RESET')) {
          s.write('partial')
          setTimeout(() => s.resetAndDestroy(), 20)
        } else s.write(c) // echo; the client resets while uploading
      })
    })
    await withPod(pod, async (host, clientIp) => {
      const outcome = await new Promise<string>((resolve) => {
        const c = net.connect({ host, port: 30080, localAddress: clientIp })
        let got = ''
        c.on('data', (b: Buffer) => (got += b.toString()))
        c.on('error', (e: NodeJS.ErrnoException) => resolve(`${got} ${e.code}`))
        c.on('close', () => resolve(`${got} closed`))
        c.write('RESET please')
      })
      expect(outcome).toBe('partial ECONNRESET')
      // The client uploads and resets before the upload is through: the pod's side is closed.
      const c = net.connect({ host, port: 30080, localAddress: clientIp })
      c.on('error', () => {})
      c.write(Buffer.alloc(1024 * 1024, 1))
      await new Promise((r) => c.once('data', r))
      c.resetAndDestroy()
      await Promise.all(podClosed)
      // And the next connection is relayed as usual.
      const echoed = await new Promise<string>((resolve) => {
        const e = net.connect({ host, port: 30080, localAddress: clientIp }, () => e.write('hello'))
        e.once('data', (b: Buffer) => {
          resolve(b.toString())
          e.destroy()
        })
      })
      expect(echoed).toBe('hello')
      expect(podSockets).toBe(3)
    })
  })
  it('relays through another node\'s hop relay (handshake first) for many round trips on one connection', async () => {
    const lease = await leaseBlock()
    const p = lease.plan
    const pod = net.createServer((s) => s.on('data', (b: Buffer) => s.write(b)))
    await new Promise<void>((r) => pod.listen({ host: p.pod(0), port: 8080 }, r))
    const hop = await startHopRelay({ host: p.node(1), port: 31000, target: { name: 'pod-1', address: p.pod(0), port: 8080, node: 'node-b' }, delayMs: 0 })
    const balancer = createBalancer('round-robin', { rng: createRng(1) })
    balancer.update([{ name: 'pod-1', address: p.pod(0), port: 8080, node: 'node-b' }])
    const proxy = await startL4Proxy({ host: p.node(0), port: 30080, balancer, accounting: createAccounting('node-a'), route: () => ({ host: p.node(1), port: 31000, localAddress: p.node(0), viaHop: true }), onNoEndpoint: 'reject', relay })
    try {
      const c = net.connect({ host: p.node(0), port: 30080, localAddress: p.client(0) })
      c.on('error', () => {})
      // Each message answered before the next goes (a stalled relay times the test out).
      for (let i = 0; i < 200; i++) {
        const msg = `message ${i}`
        const echoed = await new Promise<string>((resolve) => {
          const t = setTimeout(() => resolve('(no answer in 2 s)'), 2000)
          c.once('data', (b: Buffer) => {
            clearTimeout(t)
            resolve(b.toString())
          })
          c.write(msg)
        })
        expect(echoed).toBe(msg)
      }
      c.destroy()
    } finally {
      proxy.close()
      hop.close()
      pod.close()
      await lease.release()
    }
  })
  it('counts a keep-alive connection once, on its first bytes at or after the epoch', async () => {
    const pod = net.createServer((s) => s.on('data', () => s.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')))
    const accounting = createAccounting('node-a')
    accounting.reset(Date.now() + 150)
    await withPod(pod, async (host, clientIp) => {
      const c = net.connect({ host, port: 30080, localAddress: clientIp })
      const ask = () => new Promise((r) => {
        c.once('data', r)
        c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
      })
      await ask() // before the epoch: not counted
      expect(accounting.snapshot().connections).toBe(0)
      await new Promise((r) => setTimeout(r, 200))
      for (let i = 0; i < 3; i++) await ask()
      // The count may arrive from the relay thread a moment after the answer.
      await new Promise((r) => setTimeout(r, 20))
      c.destroy()
      const s = accounting.snapshot()
      expect([s.connections, s.decisions, s.byPod]).toEqual([1, 1, { 'pod-1': 1 }])
    }, accounting)
  })
  it('churn: 300 connections at once, each a few round trips, then a FIN, a reset or a pod-side close; none hangs, the proxy goes on', async () => {
    const podSockets = new Set<net.Socket>()
    const pod = net.createServer((s) => {
      podSockets.add(s)
      s.on('close', () => podSockets.delete(s))
      s.on('error', () => {})
      s.on('data', (b: Buffer) => {
        if (b.toString() === 'bye') s.destroy() // the pod closes (FIN)
        else s.write(b)
      })
    })
    await withPod(pod, async (host, clientIp) => {
      const one = (i: number) =>
        new Promise<string>((resolve) => {
          const c = net.connect({ host, port: 30080, localAddress: clientIp })
          const t = setTimeout(() => resolve(`connection ${i} hung`), 5000)
          const done = (what: string) => {
            clearTimeout(t)
            resolve(what)
          }
          c.on('error', () => done('ok'))
          c.on('close', () => done('ok'))
          let n = 0
          c.on('data', () => {
            if (++n < 3) return void c.write(`ping ${n}`)
            if (i % 3 === 0) c.end()
            else if (i % 3 === 1) c.resetAndDestroy()
            else c.write('bye')
          })
          c.write('ping 0')
        })
      const outcomes = await Promise.all(Array.from({ length: 300 }, (_, i) => one(i)))
      expect(outcomes.filter((o) => o !== 'ok')).toEqual([])
      // Every pod-side connection goes away too.
      for (let i = 0; i < 50 && podSockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect(podSockets.size).toBe(0)
    })
  })
  it('clients gone as soon as they connect leave no pod connection open', async () => {
    const open = new Set<net.Socket>()
    let opened = 0
    const pod = net.createServer((s) => {
      opened++
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => {})
    })
    await withPod(pod, async (host, clientIp) => {
      const gone: Promise<void>[] = []
      for (let i = 0; i < 20; i++) {
        const c = net.connect({ host, port: 30080, localAddress: clientIp })
        c.on('error', () => {})
        gone.push(new Promise((r) => c.on('close', () => r())))
        if (i % 2 === 0) c.once('connect', () => c.resetAndDestroy())
        else c.once('connect', () => c.destroy())
      }
      await Promise.all(gone)
      // The proxy dials the pod as it accepts, before it can see the client go: pod connections opened.
      for (let i = 0; i < 50 && opened === 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect(opened).toBeGreaterThan(0)
      // Every one of them is closed by the proxy within 2 s.
      for (let i = 0; i < 100 && open.size > 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect(open.size, `${open.size} of ${opened} pod connections still open`).toBe(0)
    })
  })
})

describe('the native relay', () => {
  beforeEach(requireInCi('Linux (the native relay is Linux only)', process.platform === 'linux'))
  it('is built (npm ci runs node-gyp) and is the default on Linux', () => {
    expect(nativeRelay(), 'build/Release/svcbench_relay.node: run npm ci (or npm run build:native) with python3, make and g++').not.toBeNull()
    if (process.env.SVCBENCH_L4_RELAY === undefined) expect(defaultRelay()).toBe('native')
  })
})
