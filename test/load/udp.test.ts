/**
 * The udp executor on real sockets: fixed source ports keep one socket per client address, per
 * query a new one each; an answer is matched to its query by id; a query with no answer is lost
 * at the request timeout (a timeout, latency censored there), and a late answer is ignored.
 */
import dgram from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { createLoadExecutor } from '../../harness/load/registry.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { encodeAnswer } from '../../harness/util/udp-query.ts'
import type { LoadPlan } from '../../harness/load/types.ts'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A UDP server on host:port answering as `pod`, except queries `drop` says to leave; records each query's source. */
async function server(host: string, port: number, drop: (n: number) => boolean = () => false) {
  const seen: string[] = []
  const sock = dgram.createSocket('udp4')
  sock.on('message', (msg, r) => {
    seen.push(`${r.address}:${r.port}`)
    if (!drop(seen.length)) sock.send(encodeAnswer(msg, 'pod-x', 16), r.port, r.address)
  })
  await new Promise<void>((resolve) => sock.bind(port, host, resolve))
  cleanups.push(() => sock.close())
  return seen
}

async function plan(sourcePort: 'fixed' | 'per-query', timeoutMs = 1000): Promise<{ p: LoadPlan; host: string }> {
  const l = await leaseBlock()
  cleanups.push(() => l.release())
  const host = l.plan.node(0)
  const p: LoadPlan = {
    targets: [{ host, port: 30080 }],
    clientAddresses: [l.plan.client(0), l.plan.client(1)],
    connections: 1, durationMs: 400, keepAlive: false, path: '/', requestTimeoutMs: timeoutMs, epochMs: Date.now() + 50,
    open: { startRps: 100, stages: [], arrival: 'constant', seed: 1, warmupRps: 100, maxConnections: 1 },
    udp: { sourcePort, queryBytes: 32 },
  }
  return { p, host }
}

describe('the udp executor', () => {
  it('fixed source ports: one socket per client address for every query; each answer names its pod', async () => {
    const { p, host } = await plan('fixed')
    const seen = await server(host, 30080)
    const r = await createLoadExecutor('udp').start(p).result
    expect(r.ok).toBe(40)
    expect(new Set(seen).size).toBe(2)
    expect(r.udp!.flows.map((f) => f.answered)).toEqual([20, 20])
    expect(Object.values(r.udp!.byClient).map((c) => c['pod-x'])).toEqual([20, 20])
  })

  it('per query: a new source port for every query', async () => {
    const { p, host } = await plan('per-query')
    const seen = await server(host, 30080)
    const r = await createLoadExecutor('udp').start(p).result
    expect(r.ok).toBe(40)
    expect(new Set(seen).size).toBeGreaterThanOrEqual(seen.length - 2) // (a freed port may come back)
    expect(r.udp!.flows).toEqual([])
  })

  it('a query without an answer is lost at the request timeout, latency censored there', async () => {
    const { p, host } = await plan('fixed', 1000)
    await server(host, 30080, (n) => n % 4 === 0)
    const r = await createLoadExecutor('udp').start({ ...p, durationMs: 200 }).result
    expect(r.errorsByKind.timeout).toBe(5)
    expect(r.ok).toBe(15)
    expect(r.latency.maxValue / 1000).toBeGreaterThanOrEqual(1000)
    expect(r.udp!.flows.reduce((a, f) => a + f.lost, 0)).toBe(5)
  })
})
