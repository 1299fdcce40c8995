/** Child entry: one pod per process, so that killing a pod is a real crash. */
import { readChildConfig, serveIpc } from '../cluster/ipc.ts'
import { startPodServer, type PodConfig, type PodFault } from './server.ts'

const config = readChildConfig<PodConfig>()
try {
  const pod = await startPodServer(config)
  serveIpc({
    reset: (p) => pod.reset((p as { epochMs: number }).epochMs),
    stats: () => pod.stats(),
    fault: (p) => pod.setFault(p as PodFault),
  })
  process.send?.({ type: 'ready', data: { port: pod.config.port } })
} catch (err) {
  process.send?.({ type: 'failed', error: `cannot listen on ${config.address}:${config.port}: ${(err as Error).message}` })
  process.exit(1)
}
