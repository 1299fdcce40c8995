/** Child entry: one node's NodePort proxy. Each node decides on its own (own balancer state). */
import { readChildConfig, serveIpc } from '../cluster/ipc.ts'
import { createBalancer, type BalancerName } from '../balancers/registry.ts'
import type { Endpoint } from '../balancers/types.ts'
import { createRng } from '../util/rng.ts'
import { createAccounting } from './accounting.ts'
import { startL4Proxy } from './l4.ts'
import { startL7Proxy } from './l7.ts'

/** Configuration of one node proxy. */
export interface NodeProxyConfig {
  node: string
  address: string
  nodePort: number
  balancer: BalancerName
  balancing: 'connection' | 'request'
  seed: number
  endpoints: Endpoint[]
}

const config = readChildConfig<NodeProxyConfig>()
const balancer = createBalancer(config.balancer, { rng: createRng(config.seed) })
balancer.update(config.endpoints)
const accounting = createAccounting(config.node)
try {
  const opts = { host: config.address, port: config.nodePort, balancer, accounting }
  if (config.balancing === 'connection') await startL4Proxy(opts)
  else await startL7Proxy(opts)
  serveIpc({
    reset: (p) => accounting.reset((p as { epochMs: number }).epochMs),
    stats: () => accounting.snapshot(),
    endpoints: (p) => balancer.update(p as Endpoint[]),
  })
  process.send?.({ type: 'ready' })
} catch (err) {
  process.send?.({ type: 'failed', error: `cannot listen on ${config.address}:${config.nodePort}: ${(err as Error).message}` })
  process.exit(1)
}
