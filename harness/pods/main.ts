/** Child entry: one pod per process, so that killing a pod is a real crash. */
import { readChildConfig, serveIpc } from '../process/ipc.ts'
import { startPodServer } from './server.ts'
import type { PodConfig, PodFault } from '../model/wire.ts'

const config = readChildConfig<PodConfig>()
try {
  const pod = await startPodServer(config)
  serveIpc({
    reset: (p) => pod.reset((p as { epochMs: number }).epochMs),
    stats: () => pod.stats(),
    fault: (p) => pod.setFault(p as PodFault),
  })
  // SIGTERM (pod deletion, after any preStop hook): stop accepting, finish what is in flight,
  // hand the counts over, exit. SIGKILL after the grace period is the kubelet's business.
  process.on('SIGTERM', () => {
    void pod.close().then(() => process.send?.({ type: 'final', data: pod.stats() }, () => process.exit(0)))
  })
  process.send?.({ type: 'ready', data: { port: pod.config.port } })
} catch (err) {
  process.send?.({ type: 'failed', error: `cannot listen on ${config.address}:${config.port}: ${(err as Error).message}` })
  process.exit(1)
}
