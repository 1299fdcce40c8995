/**
 * Child entry: what runs on a node besides its rules, inside the node's network namespace. The
 * kubelet's readiness probes (an HTTP GET from the node's address, on request), and for a
 * LoadBalancer Service with externalTrafficPolicy Local kube-proxy's health check server on the
 * healthCheckNodePort: 200 while the node has a ready local endpoint, else 503, with a JSON body
 * naming the Service and its local endpoint count (pkg/proxy/healthcheck/service_health.go,
 * ServeHTTP; only serving, not terminating, endpoints count: KEP-1669).
 */
import http from 'node:http'
import { readChildConfig, serveIpc } from '../../process/ipc.ts'
import { kubeletProbePasses, type KubeletProbe } from '../../util/probe.ts'
import type { NodeAgentConfig } from './wire.ts'

const config = readChildConfig<NodeAgentConfig>()
let localEndpoints = 0

serveIpc({
  probe: (p) => kubeletProbePasses(p as KubeletProbe, config.address),
  'local-endpoints': (n) => void (localEndpoints = n as number),
})

try {
  if (config.healthCheckNodePort !== null) {
    const server = http.createServer((_req, res) => {
      res.writeHead(localEndpoints > 0 ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' })
      res.end(JSON.stringify({ service: config.service, localEndpoints, serviceProxyHealthy: true }))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.healthCheckNodePort as number, config.address, () => resolve())
    })
  }
  process.send?.({ type: 'ready' })
} catch (err) {
  process.send?.({ type: 'failed', error: `node agent of "${config.node}" cannot listen on ${config.address}:${config.healthCheckNodePort}: ${(err as Error).message}` })
  process.exit(1)
}
