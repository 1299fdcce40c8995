import { describe, expect, it } from 'vitest'
import http from 'node:http'
import net from 'node:net'
import { startEndpointsController } from '../../harness/cluster/endpoints.ts'
import { startPodServer } from '../../harness/pods/server.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { KUBE_PROBE_USER_AGENT } from '../../harness/model/wire.ts'
import type { ResolvedProbe, ResolvedProbeHandler } from '../../harness/model/scenario.ts'

const probe: ResolvedProbe = { path: '/ready', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 1, initialDelaySeconds: 0 }
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

function get(host: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string } | 'failed'> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: 500, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve('failed'))
  })
}

/** A listener that counts the connections it accepts and the requests it answers (200 for the kubelet's user agent). */
async function listener(host: string, port: number) {
  const seen = { connections: 0, requests: [] as string[] }
  const server = http.createServer((req, res) => {
    seen.requests.push(`${req.url} ${String(req.headers['user-agent'])}`)
    res.writeHead(req.headers['user-agent'] === KUBE_PROBE_USER_AGENT ? 200 : 500).end()
  })
  server.on('connection', () => seen.connections++)
  await new Promise<void>((r) => server.listen(port, host, r))
  return { seen, close: () => new Promise((r) => server.close(r)) }
}

describe('startEndpointsController probe handlers', () => {
  it.each<[string, ResolvedProbeHandler, (s: { connections: number; requests: string[] }) => void]>([
    ['httpGet on the probe port and path, as the kubelet', { type: 'httpGet', writtenAs: 'httpGet', port: 9090 }, (s) => expect(s.requests[0]).toBe(`/ready ${KUBE_PROBE_USER_AGENT}`)],
    ['tcpSocket as a bare connect', { type: 'tcpSocket', writtenAs: 'tcpSocket', port: 9090 }, (s) => expect([s.connections > 0, s.requests]).toEqual([true, []])],
  ])('probes %s', async (_name, handler, check) => {
    const lease = await leaseBlock()
    const address = lease.plan.pod(0)
    const l = await listener(address, 9090)
    const c = startEndpointsController({ pods: [{ name: 'pod-1', address, port: 8080, nodeAddress: lease.plan.node(0) }], probe, handler, propagationMs: 0, rng: () => 0, publish: async () => {} })
    try {
      await wait(150)
      check(l.seen)
      expect(c.ready()).toEqual(['pod-1'])
    } finally {
      c.stop()
      await l.close()
      await lease.release()
    }
  })

  it('after a restart probes readiness only once the startup probe has passed', async () => {
    const lease = await leaseBlock()
    const address = lease.plan.pod(0)
    const l = await listener(address, 8080)
    const fast = { ...probe, periodSeconds: 0.1 }
    const startup = { ...fast, type: 'tcpSocket', writtenAs: 'tcpSocket', port: 9191 } as const
    const c = startEndpointsController({ pods: [{ name: 'pod-1', address, port: 8080, nodeAddress: lease.plan.node(0) }], probe: fast, startupProbe: startup, propagationMs: 0, rng: () => 0, publish: async () => {} })
    const s = net.createServer()
    try {
      c.restarted('pod-1')
      expect(c.ready()).toEqual([])
      // Readiness (8080) would pass at once, but the startup probe's port 9191 is closed.
      await wait(400)
      expect([l.seen.requests, c.ready()]).toEqual([[], []])
      await new Promise<void>((r) => s.listen(9191, address, r))
      await wait(400)
      expect(l.seen.requests.length).toBeGreaterThan(0)
      expect(c.ready()).toEqual(['pod-1'])
    } finally {
      c.stop()
      s.close()
      await l.close()
      await lease.release()
    }
  })
})

describe('startPodServer probes', () => {
  it('answers a kubelet probe on any path without counting it, and listens on a probe port of its own', async () => {
    const lease = await leaseBlock()
    const address = lease.plan.pod(0)
    const pod = await startPodServer({ name: 'pod-1', node: 'node-a', address, port: 8080, probePorts: [9090], latency: { dist: 'constant', meanMs: 0, p99Ms: 0 }, responseBytes: 4, errorRate: 0, seed: 1 })
    try {
      expect(await get(address, 8080, '/', { 'user-agent': KUBE_PROBE_USER_AGENT })).toEqual({ status: 200, body: 'ok' })
      expect(await get(address, 9090, '/ready', { 'user-agent': KUBE_PROBE_USER_AGENT })).toEqual({ status: 200, body: 'ok' })
      expect(pod.stats().requests).toBe(0)
      expect(await get(address, 8080, '/')).toEqual({ status: 200, body: 'xxxx' })
      expect(pod.stats().requests).toBe(1)
      pod.crash()
      expect(await get(address, 9090, '/ready', { 'user-agent': KUBE_PROBE_USER_AGENT })).toBe('failed')
    } finally {
      await pod.close().catch(() => {})
      await lease.release()
    }
  })
})
