import { describe, expect, it } from 'vitest'
import http from 'node:http'
import { createLoadExecutor } from '../../harness/load/registry.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'

describe('the closed executor through the LoadExecutor interface', () => {
  it('reports live progress, and stop() ends the load early with what was measured, marked interrupted', async () => {
    const lease = await leaseBlock()
    const server = http.createServer((_req, res) => res.end('ok'))
    await new Promise<void>((r) => server.listen({ host: lease.plan.node(0), port: 30080 }, r))
    try {
      const startedAt = Date.now()
      const load = createLoadExecutor('closed').start({
        targets: [{ host: lease.plan.node(0), port: 30080 }],
        clientAddresses: [lease.plan.client(0)],
        connections: 2,
        durationMs: 10_000,
        keepAlive: true,
        path: '/',
        requestTimeoutMs: 1000,
        epochMs: startedAt,
      })
      await new Promise((r) => setTimeout(r, 300))
      const p = load.progress()
      expect(p.responses).toBeGreaterThan(0)
      expect(p.measured.requests).toBe(p.responses)
      load.stop()
      const r = await load.result
      expect(r.interrupted).toBe(true)
      expect(Date.now() - startedAt).toBeLessThan(5000)
      expect(r.responses).toBeGreaterThanOrEqual(p.responses)
      expect(r.ok).toBe(r.responses)
    } finally {
      server.closeAllConnections()
      server.close()
      await lease.release()
    }
  })
})

describe('the closed executor pairs targets with client addresses', () => {
  it('sends each connection to the target of its client address when there is one target per address', async () => {
    const lease = await leaseBlock()
    const seen: Set<string>[] = [new Set(), new Set()]
    const servers = [0, 1].map((i) => http.createServer((req, res) => {
      seen[i]!.add(req.socket.remoteAddress ?? '')
      res.end('ok')
    }))
    await Promise.all(servers.map((s, i) => new Promise<void>((r) => s.listen({ host: lease.plan.clusterIp(i), port: 30080 }, r))))
    try {
      const clientAddresses = [lease.plan.client(0), lease.plan.client(1)]
      const r = await createLoadExecutor('closed').start({
        targets: [0, 1].map((i) => ({ host: lease.plan.clusterIp(i), port: 30080 })),
        clientAddresses,
        connections: 6,
        durationMs: 300,
        keepAlive: false,
        path: '/',
        requestTimeoutMs: 1000,
        epochMs: Date.now(),
      }).result
      expect(r.ok).toBeGreaterThan(10)
      // Client 0 only ever reached target 0, client 1 target 1 (an in-cluster client stays at its own node).
      expect(seen.map((s) => [...s])).toEqual([[clientAddresses[0]], [clientAddresses[1]]])
    } finally {
      for (const s of servers) {
        s.closeAllConnections()
        s.close()
      }
      await lease.release()
    }
  })
})
