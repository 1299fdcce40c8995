/**
 * The open executor on real sockets (each test well under 2 s of traffic): a rate is kept, a hung
 * server costs what the arrival stream predicts, a full pool drops, TLS and per-request client
 * addresses work, and stop() ends the load.
 */
import { afterEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { createLoadExecutor } from '../../harness/load/registry.ts'
import { leaseBlock, type BlockLease } from '../../harness/cluster/address-plan.ts'
import { summarizeLatency } from '../../harness/stats/latency.ts'
import type { LoadPlan, OpenPlan } from '../../harness/load/types.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function lease(): Promise<BlockLease> {
  const l = await leaseBlock()
  cleanups.push(() => l.release())
  return l
}

/** An HTTP(S) server on host:port answering `handler`, closed after the test. */
async function serve(host: string, port: number, handler: http.RequestListener, tlsOpts?: { key: string; cert: string }): Promise<http.Server> {
  const server = tlsOpts === undefined ? http.createServer(handler) : https.createServer(tlsOpts, handler)
  server.keepAliveTimeout = 60_000
  await new Promise<void>((r) => server.listen({ host, port }, r))
  cleanups.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return server
}

const ok: http.RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-length': 2 })
  res.end('ok')
}

const openPlan = (rps: number, extra: Partial<OpenPlan> = {}): OpenPlan => ({ startRps: rps, stages: [], arrival: 'constant', seed: 1, warmupRps: rps, maxConnections: 1000, ...extra })

function plan(l: BlockLease, targets: LoadPlan['targets'], o: Partial<LoadPlan> & { open: OpenPlan }): LoadPlan {
  return { targets, clientAddresses: [l.plan.client(0)], connections: 4, durationMs: 1000, keepAlive: false, path: '/', requestTimeoutMs: 1000, epochMs: Date.now() + 100, ...o }
}

describe('the open executor', () => {
  it.each([false, true])('keeps a fixed rate (keep-alive %s): every scheduled request sent and answered, each second at the rate', async (keepAlive) => {
    const l = await lease()
    await serve(l.plan.node(0), 30080, ok)
    const r = await createLoadExecutor('open').start(plan(l, [{ host: l.plan.node(0), port: 30080 }], { keepAlive, open: openPlan(400) })).result
    // Constant arrivals: exactly 400 intended starts in the measured second.
    expect([r.scheduled, r.sent, r.dropped, r.responses, r.ok]).toEqual([400, 400, 0, 400, 400])
    expect(r.elapsedMs).toBe(1000)
    // Answered in the second they were due, give or take the shared machine's hiccups.
    expect(r.perSecond[0]!.completed).toBeGreaterThanOrEqual(360)
    const lag = summarizeLatency(r.scheduleLag!)
    expect(lag.count).toBe(400)
    expect(lag.p50).toBeLessThan(5)
    expect(r.interrupted).toBe(false)
  })

  it('times out about rate × share × window requests to a server that hangs, with latency at the timeout', async () => {
    const l = await lease()
    // Three servers; the second hangs for requests arriving in [200, 700) ms of the measured phase.
    let epochMs = 0
    const hanging: http.RequestListener = (req, res) => {
      const t = Date.now() - epochMs
      if (t >= 200 && t < 700) return
      ok(req, res)
    }
    const targets = [0, 1, 2].map((j) => ({ host: l.plan.pod(j), port: 8080 }))
    for (const [j, t] of targets.entries()) await serve(t.host, t.port, j === 1 ? hanging : ok)
    const p = plan(l, targets, { open: openPlan(600), requestTimeoutMs: 500 })
    epochMs = p.epochMs
    const r = await createLoadExecutor('open').start(p).result
    // 600 req/s × 1/3 × 0.5 s = 100 requests to the hung server; the boundaries may move one or two.
    expect(r.errorsByKind.timeout).toBeGreaterThanOrEqual(95)
    expect(r.errorsByKind.timeout).toBeLessThanOrEqual(105)
    expect(r.scheduled).toBe(600)
    expect(r.responses + r.errorsByKind.timeout).toBe(600)
    const lat = summarizeLatency(r.latency)
    expect(lat.p99).toBeGreaterThanOrEqual(500)
    // A timeout counts from the write, a hair after the intended start: at the timeout plus that lag.
    expect(lat.max).toBeLessThan(500 + 20)
    // The service latency holds the answered requests only: no timeout in it.
    expect(summarizeLatency(r.serviceLatency!).max).toBeLessThan(400)
  })

  it('drops requests a full pool cannot take within the timeout, and opens no more than maxConnections at a time', async () => {
    const l = await lease()
    const seen = new Set<net.Socket>()
    const slow: http.RequestListener = (req, res) => {
      seen.add(req.socket)
      setTimeout(() => ok(req, res), 50)
    }
    await serve(l.plan.node(0), 30080, slow)
    // 2 connections × 20 req/s each carry 40 req/s; 200 arrive per second, and wait at most 250 ms.
    const r = await createLoadExecutor('open').start(plan(l, [{ host: l.plan.node(0), port: 30080 }], { keepAlive: true, connections: 2, requestTimeoutMs: 250, open: openPlan(200, { maxConnections: 2, warmupRps: 0 }) })).result
    expect(r.scheduled).toBe(200)
    expect(r.sent! + r.dropped!).toBe(200)
    expect(r.dropped).toBeGreaterThan(120)
    expect(r.sent).toBeGreaterThan(30)
    // Drops are no errors. A request sent late from the queue may still time out (its 250 ms
    // count from its intended start), and its connection is closed: only then is another opened.
    const timeouts = r.errorsByKind.timeout
    expect(Object.values(r.errorsByKind).reduce((a, b) => a + b, 0)).toBe(timeouts)
    expect(r.ok + timeouts).toBe(r.sent!)
    expect(seen.size).toBeLessThanOrEqual(2 + timeouts)
    // Drops sit at the timeout in the latency (censored).
    expect(summarizeLatency(r.latency).p50).toBeGreaterThanOrEqual(250)
    expect(r.droppedPer100ms!.reduce((a, b) => a + b, 0)).toBe(r.dropped)
  })

  it('speaks TLS to a TLS target (certificate not verified)', async () => {
    const l = await lease()
    const { generate } = await import('selfsigned')
    const pems = await generate([{ name: 'commonName', value: 'test' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })
    await serve(l.plan.node(0), 30443, ok, { key: pems.private, cert: pems.cert })
    for (const keepAlive of [true, false]) {
      const r = await createLoadExecutor('open').start(plan(l, [{ host: l.plan.node(0), port: 30443, tls: true }], { keepAlive, durationMs: 300, open: openPlan(100) })).result
      expect([r.scheduled, r.ok], `keep-alive ${keepAlive}`).toEqual([30, 30])
    }
  })

  it('without keep-alive opens a connection per request, from client address k mod n, to target k mod m', async () => {
    const l = await lease()
    // Per target, the source address of each connection (a port may be reused once freed).
    const sources = new Map<string, string[]>()
    const connections = new Set<net.Socket>()
    const targets = [0, 1].map((i) => ({ host: l.plan.node(i), port: 30080 }))
    for (const t of targets) {
      await serve(t.host, t.port, (req, res) => {
        if (!connections.has(req.socket)) {
          connections.add(req.socket)
          sources.set(t.host, [...(sources.get(t.host) ?? []), req.socket.remoteAddress as string])
        }
        ok(req, res)
      })
    }
    const clientAddresses = [0, 1, 2].map((k) => l.plan.client(k))
    const r = await createLoadExecutor('open').start(plan(l, targets, { clientAddresses, durationMs: 300, open: openPlan(200, { warmupRps: 0 }) })).result
    expect(r.ok).toBe(60)
    expect(r.clientAddressesUsed).toBe(3)
    // 60 requests over 2 targets, each on its own connection; 3 addresses and 2 targets pair up all 6 ways.
    const all = [...sources.values()].flat()
    expect(connections.size).toBe(60)
    expect(new Set(all).size).toBe(3)
    expect(sources.get(targets[0]!.host)).toHaveLength(30)
    expect(new Set(sources.get(targets[0]!.host))).toEqual(new Set(clientAddresses))
  })

  it('stop() ends the load at once with what was measured, marked interrupted', async () => {
    const l = await lease()
    await serve(l.plan.node(0), 30080, ok)
    const startedAt = Date.now()
    const load = createLoadExecutor('open').start(plan(l, [{ host: l.plan.node(0), port: 30080 }], { durationMs: 10_000, epochMs: startedAt, open: openPlan(200) }))
    await new Promise((r) => setTimeout(r, 300))
    expect(load.progress().measured.requests).toBeGreaterThan(20)
    load.stop()
    const r = await load.result
    expect(r.interrupted).toBe(true)
    expect(Date.now() - startedAt).toBeLessThan(2000)
    expect(r.elapsedMs).toBeLessThan(2000)
    expect(r.ok).toBeGreaterThan(20)
  })
})
