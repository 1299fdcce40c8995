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
