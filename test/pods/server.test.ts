import { describe, expect, it } from 'vitest'
import http from 'node:http'
import { startPodServer } from '../../harness/pods/server.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { NO_FAULT } from '../../harness/model/wire.ts'

function get(host: string, port: number, path: string, timeoutMs = 500): Promise<{ status: number; pod?: string; ms: number } | 'timeout'> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, pod: res.headers['x-svcbench-pod'] as string | undefined, ms: performance.now() - t0 }))
    })
    req.on('timeout', () => {
      req.destroy()
      resolve('timeout')
    })
    req.on('error', () => resolve('timeout'))
  })
}

describe('startPodServer', () => {
  it('answers with its name, serves /healthz, and takes hang, slow and fail faults', async () => {
    const lease = await leaseBlock()
    const address = lease.plan.pod(0)
    const pod = await startPodServer({ name: 'pod-1', node: 'node-a', address, port: 8080, latency: { dist: 'constant', meanMs: 0, p99Ms: 0 }, responseBytes: 16, errorRate: 0, seed: 1 })
    try {
      expect(await get(address, 8080, '/')).toMatchObject({ status: 200, pod: 'pod-1' })
      expect(await get(address, 8080, '/healthz')).toMatchObject({ status: 200 })
      pod.setFault({ ...NO_FAULT, errorRate: 1 })
      expect(await get(address, 8080, '/')).toMatchObject({ status: 500 })
      expect(await get(address, 8080, '/healthz')).toMatchObject({ status: 200 }) // the app fails, the probe passes
      pod.setFault({ ...NO_FAULT, extraLatencyMs: 50 })
      const slow = await get(address, 8080, '/healthz')
      expect(slow !== 'timeout' && slow.ms).toBeGreaterThanOrEqual(45) // lower bound only
      pod.setFault({ ...NO_FAULT, hang: true })
      expect(await get(address, 8080, '/', 200)).toBe('timeout')
      expect(await get(address, 8080, '/healthz', 200)).toBe('timeout')
      pod.setFault(NO_FAULT)
      expect(await get(address, 8080, '/')).toMatchObject({ status: 200 })
      expect(pod.stats().errors5xx).toBe(1)
    } finally {
      await pod.close()
      await lease.release()
    }
  })
})
