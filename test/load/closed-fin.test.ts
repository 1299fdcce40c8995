/**
 * The closed model on a connection the server ends (about 1.5 s of traffic on real sockets).
 * autocannon reconnects on a FIN without a word, so a request in flight when a pod (or the node
 * proxy passing on its end) closes the connection vanished from the results; an HTTP client sees
 * it fail ("socket hang up"). A response saying `Connection: close` (a draining pod) ends the
 * connection's use instead, as in every HTTP client, and costs nothing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import { createLoadExecutor } from '../../harness/load/registry.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function serve(handler: http.RequestListener): Promise<{ host: string; client: string }> {
  const lease = await leaseBlock()
  cleanups.push(() => lease.release())
  const server = http.createServer(handler)
  await new Promise<void>((r) => server.listen({ host: lease.plan.node(0), port: 30080 }, r))
  cleanups.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return { host: lease.plan.node(0), client: lease.plan.client(0) }
}

const run = (host: string, client: string) =>
  createLoadExecutor('closed').start({ targets: [{ host, port: 30080 }], clientAddresses: [client], connections: 2, durationMs: 700, keepAlive: true, path: '/', requestTimeoutMs: 1000, epochMs: Date.now() }).result

describe('the closed model when the server ends a connection', () => {
  it('counts the request in flight on a FIN as a reset, once per ended connection', async () => {
    let n = 0
    // Every fifth request: end the connection (FIN) without an answer.
    const { host, client } = await serve((req, res) => {
      if (++n % 5 === 0) req.socket.end()
      else res.end('ok')
    })
    const load = await run(host, client)
    const ended = Math.floor(n / 5)
    expect(ended).toBeGreaterThan(10)
    // The last one may have ended as the run stopped; every other one is a reset.
    expect(load.errorsByKind.reset).toBeGreaterThanOrEqual(ended - 2)
    expect(load.errorsByKind.reset).toBeLessThanOrEqual(ended)
  })

  it('takes Connection: close as the end of the connection, not an error', async () => {
    let n = 0
    const { host, client } = await serve((_req, res) => {
      if (++n % 5 === 0) res.setHeader('connection', 'close')
      res.end('ok')
    })
    const load = await run(host, client)
    expect(n).toBeGreaterThan(50)
    expect(load.errorsByKind.reset ?? 0).toBe(0)
    expect(Object.values(load.errorsByKind).every((c) => c === 0)).toBe(true)
  })
})
