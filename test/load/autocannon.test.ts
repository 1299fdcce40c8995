import { describe, expect, it } from 'vitest'
import http from 'node:http'
import { runLoad, classifyError } from '../../harness/load/autocannon.ts'
import { HarnessError } from '../../harness/errors.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'

const base = { connections: 1, durationMs: 200, keepAlive: true, path: '/', requestTimeoutMs: 1000, epochMs: Date.now() }

describe('runLoad', () => {
  it.each(['10.0.0.1', '192.168.1.10', '8.8.8.8', 'example.com'])('refuses target %s before sending anything', (host) => {
    expect(() => runLoad({ ...base, targets: [{ host, port: 80 }], clientAddresses: ['127.0.0.1'] })).toThrow(HarnessError)
    expect(() => runLoad({ ...base, targets: [{ host, port: 80 }], clientAddresses: ['127.0.0.1'] })).toThrow(
      /only targets 127\.0\.0\.0\/8 and ::1/,
    )
  })
  it('refuses a non-loopback source address', () => {
    expect(() => runLoad({ ...base, targets: [{ host: '127.0.0.1', port: 80 }], clientAddresses: ['10.0.0.2'] })).toThrow(/refusing source address 10\.0\.0\.2/)
  })
  it('records µs latency, per-second counts, and binds the given source addresses', async () => {
    const lease = await leaseBlock()
    const seen = new Set<string>()
    const server = http.createServer((req, res) => {
      seen.add(req.socket.remoteAddress ?? '')
      res.end('ok')
    })
    await new Promise<void>((r) => server.listen({ host: lease.plan.node(0), port: 30080 }, r))
    try {
      const clients = [lease.plan.client(0), lease.plan.client(1), lease.plan.client(2)]
      const r = await runLoad({ ...base, connections: 3, durationMs: 300, epochMs: Date.now(), targets: [{ host: lease.plan.node(0), port: 30080 }], clientAddresses: clients })
      expect(r.responses).toBeGreaterThan(10)
      expect(r.ok).toBe(r.responses)
      expect(r.clientAddressesUsed).toBe(3)
      expect([...seen].sort()).toEqual([...clients].sort())
      // Loopback answers take well under a millisecond: whole-ms recording would read 0.
      expect(r.latency.getValueAtPercentile(50)).toBeGreaterThan(0)
      expect(r.perSecond.reduce((a, s) => a + s.responses, 0)).toBe(r.responses)
    } finally {
      server.closeAllConnections()
      server.close()
      await lease.release()
    }
  })
  it('reconnects once a keep-alive connection reaches its lifetime, and never without one', async () => {
    const lease = await leaseBlock()
    let connections = 0
    const server = http.createServer((_req, res) => res.end('ok'))
    server.on('connection', () => connections++)
    await new Promise<void>((r) => server.listen({ host: lease.plan.node(0), port: 30080 }, r))
    try {
      const target = [{ host: lease.plan.node(0), port: 30080 }]
      const clientAddresses = [lease.plan.client(0)]
      await runLoad({ ...base, durationMs: 300, epochMs: Date.now(), targets: target, clientAddresses })
      expect(connections).toBe(1)
      connections = 0
      const r = await runLoad({ ...base, durationMs: 350, connectionLifetimeMs: 100, epochMs: Date.now(), targets: target, clientAddresses })
      expect(connections).toBeGreaterThanOrEqual(3)
      expect(connections).toBeLessThan(r.responses / 2)
    } finally {
      server.closeAllConnections()
      server.close()
      await lease.release()
    }
  })
  it('counts 5xx answers as errors and leaves them out of the goodput per 100 ms', async () => {
    const lease = await leaseBlock()
    let n = 0
    const server = http.createServer((_req, res) => {
      res.statusCode = n++ % 2 === 0 ? 200 : 503
      res.end('x')
    })
    await new Promise<void>((r) => server.listen({ host: lease.plan.node(0), port: 30080 }, r))
    try {
      const r = await runLoad({ ...base, durationMs: 300, epochMs: Date.now(), targets: [{ host: lease.plan.node(0), port: 30080 }], clientAddresses: [lease.plan.client(0)] })
      expect(r.errorsByKind['http-5xx']).toBeGreaterThan(10)
      expect(r.ok + r.errorsByKind['http-5xx']).toBe(r.responses)
      expect(r.okPer100ms.reduce((a, b) => a + b, 0)).toBe(r.ok)
    } finally {
      server.closeAllConnections()
      server.close()
      await lease.release()
    }
  })
  it('counts a refused connection as connect-refused', async () => {
    const lease = await leaseBlock()
    try {
      const r = await runLoad({ ...base, durationMs: 150, epochMs: Date.now(), targets: [{ host: lease.plan.node(0), port: 30099 }], clientAddresses: [lease.plan.client(0)] })
      expect(r.responses).toBe(0)
      expect(r.errorsByKind['connect-refused']).toBeGreaterThan(0)
      expect(r.errorsByCode.ECONNREFUSED).toBe(r.errorsByKind['connect-refused'])
      // Every error is in the exact 100 ms counts once, and in the event list while it is short.
      const slotTotal = r.errorsPer100ms.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0)
      expect(slotTotal).toBe(r.errorsByKind['connect-refused'])
      expect(r.errorEvents).toHaveLength(slotTotal)
    } finally {
      await lease.release()
    }
  })
})

describe('classifyError', () => {
  it.each([
    ['ECONNREFUSED', 'x', 'connect-refused'],
    ['ECONNRESET', 'x', 'reset'],
    ['EPIPE', 'x', 'reset'],
    ['ETIMEDOUT', 'x', 'timeout'],
    [undefined, 'request timed out', 'timeout'],
    ['EADDRNOTAVAIL', 'x', 'other'],
  ])('%s / %s → %s', (code, message, kind) => {
    const err = Object.assign(new Error(message), { code }) as NodeJS.ErrnoException
    expect(classifyError(err)).toBe(kind)
  })
})
