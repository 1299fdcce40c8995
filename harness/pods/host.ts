/**
 * Child entry: a pod host, one process running several built-in pods of one node (used for large
 * clusters, see `cluster.podProcesses`). Each pod keeps its own address, server and counters;
 * `crash` is what a pod crash looks like on the network (listener gone: new connections refused;
 * every open connection reset), without taking the node's other pods down.
 */
import { readChildConfig, serveIpc } from '../process/ipc.ts'
import { startPodServer, type PodServer } from './server.ts'
import type { PodConfig, PodFault } from '../model/wire.ts'

const { node } = readChildConfig<{ node: string }>()
const pods = new Map<string, PodServer>()

const pod = (name: string) => {
  const p = pods.get(name)
  if (p === undefined) throw new Error(`node ${node} hosts no running pod ${name}`)
  return p
}

serveIpc({
  start: async (p) => {
    const config = p as PodConfig
    try {
      const s = await startPodServer(config)
      pods.set(config.name, s)
      return { port: s.config.port }
    } catch (err) {
      throw new Error(`cannot listen on ${config.address}:${config.port}: ${(err as Error).message}`)
    }
  },
  reset: (p) => {
    const { pod: name, epochMs } = p as { pod: string; epochMs: number }
    pod(name).reset(epochMs)
  },
  stats: (p) => pod((p as { pod: string }).pod).stats(),
  fault: (p) => {
    const { pod: name, fault } = p as { pod: string; fault: PodFault }
    pod(name).setFault(fault)
  },
  crash: (p) => {
    const name = (p as { pod: string }).pod
    const s = pods.get(name)
    pods.delete(name)
    return s?.crash()
  },
  terminate: async (p) => {
    const name = (p as { pod: string }).pod
    const s = pod(name)
    await s.close()
    // (a crash during the grace period may have removed it, and a restart replaced it)
    if (pods.get(name) === s) pods.delete(name)
    return s.stats()
  },
})
process.send?.({ type: 'ready' })
