/**
 * The pods of a running cluster: their live processes, crashes, restarts, faults and deletions,
 * and the counts of every incarnation (a killed pod's counts are kept, so that a crash does not
 * erase its history).
 */
import os from 'node:os'
import path from 'node:path'
import { exitedDuringRun, type Child } from '../process/child.ts'
import type { SampledProcess } from '../util/cpu.ts'
import { HarnessError } from '../errors.ts'
import { DEFAULT_COUNTS_TIMEOUT_MS, type DataplaneNetwork } from '../dataplane/types.ts'
import { mergePodStats } from './pod-stats.ts'
import { createPodLauncher, type PodHandle, type PodLauncher } from './pod-process.ts'
import type { Topology } from './topology.ts'
import type { PodFault } from '../model/wire.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { PodStats } from '../model/measurements.ts'

/** The pods of a started cluster. */
export interface PodSet {
  /** Zero every live pod's counters (and forget killed incarnations'); count only from `epochMs`. */
  reset(epochMs: number): Promise<void>
  /** Every placed pod's counts, killed incarnations included, in topology order. */
  collect(): Promise<PodStats[]>
  /** SIGKILL a pod's process: a real crash. Resolves with the kill time (Date.now()). */
  kill(name: string): Promise<number>
  /** Start a killed pod again in its slot; false if it was running or the cluster stopped. */
  restart(name: string): Promise<boolean>
  /** Inject a fault into a running pod. */
  fault(name: string, fault: PodFault): Promise<void>
  /** Delete a pod as the kubelet does (preStop, SIGTERM, SIGKILL at the grace period). */
  delete(name: string, d: { preStopMs: number; graceMs: number }): Promise<void>
  /** Throws a HarnessError `CHILD_EXITED` if a pod (or pod host) died without being killed on purpose. */
  assertAlive(): void
  /** The live pod processes (pod hosts sampled once each), for CPU sampling. */
  processes(): SampledProcess[]
  /** What the reader must know about the per-pod counts (counts that could not be read). */
  warnings(): string[]
  /** Stop every pod; nothing starts afterwards. */
  stop(): Promise<void>
}

/** Options for {@link startPods}. */
export interface StartPodsOptions {
  seed: number
  runId: string
  /** Time each process has to listen, ms. */
  readyTimeoutMs: number
  /** Folder for command pods' logs (`<logDir>/<pod>.log`). @default a temporary folder */
  logDir?: string
  /** Time a pod has to hand over its counts before it is killed or deleted, ms. @default DEFAULT_COUNTS_TIMEOUT_MS */
  countsTimeoutMs?: number
  /** Where each pod process runs (the dataplane's network). @default this machine's own network */
  network?: Pick<DataplaneNetwork, 'podPlace' | 'podHostPlace'>
}

/** Start every pod that runs at start (not the free slots); resolves once all listen, else stops them and throws. */
export async function startPods(v: ResolvedVariant, topology: Topology, opts: StartPodsOptions): Promise<PodSet> {
  const children: Child[] = []
  // Once stopped, nothing new may start: a fault still in progress (a rolling update waiting for
  // a pod) must not leave a process behind the run.
  let stopped = false
  const stop = async () => {
    stopped = true
    await Promise.all(children.map((c) => c.kill()))
  }
  try {
    const logDir = opts.logDir ?? path.join(os.tmpdir(), `svcbench-${opts.runId}`, 'pods')
    const launcher = await createPodLauncher(v, topology, { seed: opts.seed, runId: opts.runId, readyTimeoutMs: opts.readyTimeoutMs, logDir, children, network: opts.network })
    // The live process of each pod; a killed pod has none until it is restarted.
    const live = new Map<string, PodHandle | undefined>(topology.pods.map((p) => [p.name, p.spare ? undefined : launcher.start(p)]))
    await Promise.all([...live.values()].filter((c): c is PodHandle => c !== undefined).map((c) => c.ready))
    return podSet({ v, topology, launcher, children, live, stop, stopped: () => stopped, countsTimeoutMs: opts.countsTimeoutMs ?? DEFAULT_COUNTS_TIMEOUT_MS })
  } catch (err) {
    await stop()
    throw err
  }
}

/** What {@link podSet} works on. */
interface PodSetState {
  v: ResolvedVariant
  topology: Topology
  launcher: PodLauncher
  children: Child[]
  live: Map<string, PodHandle | undefined>
  stop(): Promise<void>
  stopped(): boolean
  countsTimeoutMs: number
}

/** The running pods' operations. */
function podSet(s: PodSetState): PodSet {
  const { topology, launcher, live } = s
  const command = s.v.cluster.command
  // Counts of pod incarnations that were killed, kept so that a crash does not erase history.
  const past = new Map<string, PodStats[]>()
  const keep = (name: string, stats: PodStats) => past.set(name, [...(past.get(name) ?? []), stats])
  const intentionallyKilled = new Set<PodHandle>()
  const warnings: string[] = []
  // A command pod counts nothing itself (the proxies count for it): only built-in pods' counts can be lost.
  const lost = (w: string) => void (command === null && warnings.push(w))
  const readCounts = (c: PodHandle) =>
    c.request<PodStats>('stats', undefined, { timeoutMs: s.countsTimeoutMs }).then(
      (stats) => ({ stats, error: '' }),
      (err: unknown) => ({ stats: undefined, error: err instanceof Error ? err.message : String(err) }),
    )
  let epoch = Date.now()
  const running = () => [...live.entries()].filter((e): e is [string, PodHandle] => e[1] !== undefined && !e[1].isExited())
  const placed = (name: string) => {
    const p = topology.pods.find((x) => x.name === name)
    if (p === undefined) throw new HarnessError('CHILD_EXITED', `no pod named ${name}`)
    return p
  }

  return {
    async reset(epochMs) {
      epoch = epochMs
      past.clear()
      warnings.length = 0 // (what was lost before the epoch was not measured)
      await Promise.all(running().map(([, c]) => c.request('reset', { epochMs })))
    },
    async kill(name) {
      const c = live.get(name)
      if (c === undefined || c.isExited()) return Date.now()
      // Keep what this incarnation counted (bookkeeping only; then the process dies for real).
      const last = await readCounts(c)
      if (last.stats !== undefined) keep(name, last.stats)
      else lost(`${name}'s counts before its kill could not be read: ${last.error}; its requests before the kill are missing from the per-pod counts`)
      intentionallyKilled.add(c)
      live.set(name, undefined)
      const at = Date.now()
      await c.kill()
      if (command !== null) launcher.note(name, 'killed by svcbench (SIGKILL to its process group)')
      return at
    },
    async restart(name) {
      if (s.stopped() || live.get(name) !== undefined) return false
      const c = launcher.start(placed(name))
      live.set(name, c)
      await c.ready
      if (s.stopped()) {
        await c.kill()
        return false
      }
      await c.request('reset', { epochMs: epoch })
      return true
    },
    async fault(name, fault) {
      const c = live.get(name)
      if (c !== undefined && !c.isExited()) await c.request('fault', fault)
    },
    async delete(name, d) {
      const c = live.get(name)
      if (c === undefined || c.isExited()) return
      intentionallyKilled.add(c)
      if (d.preStopMs > 0) await new Promise((r) => setTimeout(r, d.preStopMs))
      const snapshot = await readCounts(c)
      c.signal('SIGTERM')
      const left = Math.max(0, d.graceMs - d.preStopMs)
      const killer = setTimeout(() => void c.kill(), left)
      await c.exited
      clearTimeout(killer)
      const final = c.finalData() as PodStats | undefined
      const last = final ?? snapshot.stats
      if (last !== undefined) keep(name, last)
      if (final === undefined) {
        // SIGKILLed at the grace period (or gone without its final counts): what it answered after
        // the snapshot is lost, and all of it when the snapshot could not be read either.
        lost(
          snapshot.stats === undefined
            ? `${name}'s counts before its deletion could not be read: ${snapshot.error}; its requests are missing from the per-pod counts`
            : `${name} did not exit within its grace period (SIGKILL ${left}ms after SIGTERM): the requests it answered after SIGTERM are missing from the per-pod counts`,
        )
      }
      live.set(name, undefined)
    },
    collect: () =>
      Promise.all(
        topology.pods.map(async (p) => {
          const c = live.get(p.name)
          let current: PodStats[] = []
          if (c !== undefined && !c.isExited()) {
            try {
              current = [await c.request<PodStats>('stats', undefined, { timeoutMs: 10_000 })]
            } catch (e) {
              // A pod being deleted (a rolling update still going at the end) may exit meanwhile:
              // its deletion keeps its final counts in `past`; wait for that.
              if (!intentionallyKilled.has(c)) throw e
              await c.exited
              await new Promise((r) => setImmediate(r))
            }
          }
          return mergePodStats(p.name, [...(past.get(p.name) ?? []), ...current])
        }),
      ),
    assertAlive() {
      const dead = s.children.find((c) => c.isExited() && !intentionallyKilled.has(c))
      if (dead !== undefined) throw exitedDuringRun(dead)
    },
    processes: () =>
      // Hosted pods share their node's pod host process: sample the host once.
      launcher.hosts.size > 0
        ? [...launcher.hosts.entries()].filter(([, h]) => !h.isExited()).map(([node, h]) => ({ role: 'pod' as const, name: `pod host ${node}`, pid: h.pid }))
        : running().map(([name, c]) => ({ role: 'pod' as const, name, pid: c.pid })),
    warnings: () => [...warnings],
    stop: s.stop,
  }
}
