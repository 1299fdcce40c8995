/**
 * Half-close on every path (issue #15 §4): a client that shuts down its write side right after its
 * request (a FIN) must still get the whole response, as through kernel DNAT, where the FIN is just
 * passed on: straight to a node, through another node's hop (externalTrafficPolicy Cluster), the
 * node's L7 proxy, each load-balancer preset, and TLS at the load balancer. Each path is a real
 * cluster on its own addresses; the client is a raw socket (TLS socket) that writes one request and
 * ends its side at once.
 */
import net from 'node:net'
import tls from 'node:tls'
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { startCluster } from '../../harness/cluster/cluster.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { liveChildCount } from '../../harness/process/child.ts'

const RESPONSE_BYTES = 20_000

/** Write one request, shut down the write side, read until the other side closes. */
function halfClosingGet(target: { host: string; port: number; tls?: boolean }, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const request = `GET / HTTP/1.1\r\nhost: svc\r\nconnection: close\r\n\r\n`
    const onConnect = () => s.end(request) // request, then FIN
    const s: net.Socket =
      target.tls === true
        ? tls.connect({ host: target.host, port: target.port, localAddress, rejectUnauthorized: false, allowHalfOpen: true } as tls.ConnectionOptions, onConnect)
        : net.connect({ host: target.host, port: target.port, localAddress, allowHalfOpen: true }, onConnect)
    const chunks: Buffer[] = []
    s.on('data', (c: Buffer) => chunks.push(c))
    s.on('error', () => {})
    s.setTimeout(3000, () => s.destroy())
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

/** The body length of an HTTP/1.1 response, or -1 when it is not a whole 200 response. */
function wholeBody(raw: string): number {
  const head = raw.indexOf('\r\n\r\n')
  if (!raw.startsWith('HTTP/1.1 200') || head < 0) return -1
  const length = Number(/content-length: (\d+)/i.exec(raw.slice(0, head))?.[1] ?? -1)
  const body = raw.length - head - 4
  return body === length ? body : -1
}

/** Start the scenario's cluster, send `n` half-closing requests to where its load would go, stop. */
async function throughCluster(scenario: Record<string, unknown>, n = 4): Promise<number[]> {
  const v = resolveScenario({ name: 'half-close', ...scenario }).variants[0]!
  const lease = await leaseBlock()
  const cluster = await startCluster(v, { plan: lease.plan, seed: 1, runId: `half-close-${process.pid}` })
  try {
    const [target] = cluster.targets(v.load.via)
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push(wholeBody(await halfClosingGet(target!, lease.plan.client(i))))
    return out
  } finally {
    await cluster.stop()
    await lease.release()
    expect(liveChildCount()).toBe(0)
  }
}

// Each pod answers after 20 ms: the FIN reaches every hop well before the response starts back.
const pod = { latencyMs: 20, responseBytes: RESPONSE_BYTES }
const whole = (n: number) => new Array(n).fill(RESPONSE_BYTES)

describe('a half-closing client gets its whole response', () => {
  it('straight to the node (L4 NodePort proxy)', async () => {
    expect(await throughCluster({ cluster: { nodes: 1, replicas: 1, pod }, service: { proxyMode: 'iptables' } })).toEqual(whole(4))
  })
  it('through another node’s hop (Cluster policy, the only pod on the other node)', async () => {
    const cluster = { nodes: [{ name: 'node-a', pods: 0 }, { name: 'node-b', pods: 1 }], pod }
    expect(await throughCluster({ cluster, service: { proxyMode: 'iptables' }, load: { via: ['node-a'] } })).toEqual(whole(4))
  })
  it('through the node’s L7 proxy (balancing: request)', async () => {
    expect(await throughCluster({ cluster: { nodes: 1, replicas: 1, pod }, service: { balancing: 'request' } })).toEqual(whole(4))
  })
  it.each(['aws-nlb', 'aws-clb', 'gcp-l4', 'metallb-l2'] as const)('through the %s load balancer and a hop behind it', async (preset) => {
    const cluster = { nodes: [{ name: 'node-a', pods: 0 }, { name: 'node-b', pods: 1 }], pod }
    expect(await throughCluster({ cluster, service: { type: 'LoadBalancer', loadBalancer: { preset } } })).toEqual(whole(4))
  })
  it('through an L7 load balancer (least-outstanding)', async () => {
    const service = { type: 'LoadBalancer', loadBalancer: { preset: 'aws-nlb', algorithm: 'least-outstanding' } }
    expect(await throughCluster({ cluster: { nodes: 1, replicas: 1, pod }, service })).toEqual(whole(4))
  })
  it.each(['aws-nlb', 'least-outstanding'] as const)('with TLS terminated at the load balancer (%s)', async (kind) => {
    const loadBalancer = kind === 'aws-nlb' ? { preset: 'aws-nlb', tls: true } : { preset: 'aws-nlb', algorithm: 'least-outstanding', tls: true }
    expect(await throughCluster({ cluster: { nodes: 1, replicas: 1, pod }, service: { type: 'LoadBalancer', loadBalancer } })).toEqual(whole(4))
  })
})
