/**
 * Starting a pod's process: its own child (a built-in pod, or a supervisor of the user's command),
 * or a pod inside its node's pod host process (`cluster.podProcesses: 'per-node'`).
 */
import { fileURLToPath } from 'node:url'
import fs from 'node:fs'
import path from 'node:path'
import { startChild, type Child } from '../process/child.ts'
import { deriveSeed } from '../util/rng.ts'
import { HarnessError } from '../errors.ts'
import type { PlacedPod, Topology } from './topology.ts'
import type { CommandPodConfig, PodConfig } from '../model/wire.ts'
import type { DataplaneNetwork } from '../dataplane/types.ts'
import type { ResolvedCommand, ResolvedVariant } from '../model/scenario.ts'

const POD_ENTRY = fileURLToPath(new URL('../pods/main.ts', import.meta.url))
const COMMAND_POD_ENTRY = fileURLToPath(new URL('../pods/command.ts', import.meta.url))
const POD_HOST_ENTRY = fileURLToPath(new URL('../pods/host.ts', import.meta.url))

/** What the cluster needs of a pod's process: a Child, or a pod inside a node's pod host. */
export type PodHandle = Pick<Child, 'name' | 'pid' | 'ready' | 'exited' | 'request' | 'isExited' | 'kill' | 'signal' | 'finalData' | 'outputTail'>

/**
 * A built-in pod inside its node's pod host process (`cluster.podProcesses: 'per-node'`). `kill`
 * crashes it as the network sees a crash (listener gone, open connections reset); SIGTERM is a
 * graceful close with the final counts.
 */
function hostedPod(host: Child, config: PodConfig): PodHandle {
  let exited = false
  let final: unknown
  let markExited: (v: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {}
  const exitedP = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => (markExited = resolve))
  const gone = (signal: NodeJS.Signals | null) => {
    if (!exited) {
      exited = true
      markExited({ code: signal === null ? 0 : null, signal })
    }
  }
  void host.exited.then(() => gone('SIGKILL'))
  const ready = host.request('start', config, { timeoutMs: 15_000 })
  ready.catch(() => {})
  return {
    name: `pod "${config.name}"`,
    pid: host.pid,
    ready,
    exited: exitedP,
    request: <T>(type: string, payload?: unknown, opts?: { timeoutMs?: number }) =>
      exited
        ? Promise.reject(new HarnessError('CHILD_EXITED', `pod "${config.name}" is not running`))
        : host.request<T>(type, type === 'fault' ? { pod: config.name, fault: payload } : { pod: config.name, ...(payload as object | undefined) }, opts),
    isExited: () => exited,
    async kill() {
      if (exited) return
      gone('SIGKILL')
      await host.request('crash', { pod: config.name }).catch(() => undefined)
    },
    signal(sig) {
      if (exited || sig !== 'SIGTERM') return
      void host.request('terminate', { pod: config.name }, { timeoutMs: 600_000 }).then(
        (stats) => {
          final = stats
          gone(null)
        },
        () => gone('SIGKILL'),
      )
    },
    finalData: () => final,
    outputTail: () => host.outputTail(),
  }
}

/** The ports other than the pod's that its probes use (a built-in pod listens there for them too). */
function probePortsOf(v: ResolvedVariant): number[] {
  const ports = [v.cluster.readinessProbeHandler.port, v.cluster.startupProbe?.port ?? null]
  return [...new Set(ports.filter((p): p is number => p !== null && p !== v.cluster.podPort))]
}

/** Options for {@link createPodLauncher}. */
export interface PodLauncherOptions {
  seed: number
  runId: string
  /** Time a built-in pod (or pod host) has to listen, ms. */
  readyTimeoutMs: number
  /** Folder of command pods' logs (`<logDir>/<pod>.log`). */
  logDir: string
  /** Every child started, for the caller to watch and stop. */
  children: Child[]
  /** Where each pod process runs (the dataplane's network). @default this machine's own network */
  network?: Pick<DataplaneNetwork, 'podPlace' | 'podHostPlace'>
}

/** Starts pods' processes for one variant. */
export interface PodLauncher {
  /** Start the pod in this slot (a new incarnation); resolves `ready` once it listens. */
  start(p: PlacedPod): PodHandle
  /** The node's pod host processes (`per-node`), by node; empty otherwise. */
  hosts: ReadonlyMap<string, Child>
  /** Note an event in a command pod's log. */
  note(pod: string, what: string): void
}

/** Start the pod hosts where the variant wants them, and return what starts each pod. */
export async function createPodLauncher(v: ResolvedVariant, topology: Topology, opts: PodLauncherOptions): Promise<PodLauncher> {
  const podConfig = (p: PlacedPod): PodConfig => ({
    name: p.name,
    node: p.node,
    address: p.address,
    port: p.port,
    probePorts: probePortsOf(v),
    latency: p.spec.latency,
    responseBytes: p.spec.responseBytes,
    errorRate: p.spec.errorRate,
    seed: deriveSeed(opts.seed, `${v.name}/${p.name}`),
    ...(v.service.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}),
  })
  const command = v.cluster.command
  const commandConfig = (p: PlacedPod, cmd: ResolvedCommand): CommandPodConfig => ({
    name: p.name,
    address: p.address,
    port: p.port,
    argv: cmd.argv,
    cwd: cmd.cwd,
    // A UDP Service: the server is told to answer on UDP PORT (and its readiness path on TCP PORT).
    env: v.service.protocol === 'UDP' ? { PROTOCOL: 'UDP', ...cmd.env } : cmd.env,
    readinessPath: cmd.readinessPath,
    startupTimeoutMs: cmd.startupTimeoutMs,
    logFile: path.join(opts.logDir, `${p.name}.log`),
    runId: opts.runId,
  })
  // Large clusters: one pod host process per node runs that node's built-in pods.
  const hosts = new Map<string, Child>()
  if (v.cluster.podProcesses === 'per-node') {
    for (const n of topology.nodes) {
      const h = startChild(POD_HOST_ENTRY, { label: `pod host of "${n.name}"`, config: { node: n.name }, runId: opts.runId, readyTimeoutMs: opts.readyTimeoutMs, netns: opts.network?.podHostPlace(n.name).netns })
      opts.children.push(h)
      hosts.set(n.name, h)
    }
    await Promise.all([...hosts.values()].map((h) => h.ready))
  }
  return {
    hosts,
    start(p) {
      const host = hosts.get(p.node)
      if (host !== undefined) return hostedPod(host, podConfig(p))
      const netns = opts.network?.podPlace(p.name).netns
      const c =
        command === null
          ? startChild(POD_ENTRY, { label: `pod "${p.name}"`, config: podConfig(p), runId: opts.runId, readyTimeoutMs: opts.readyTimeoutMs, netns })
          : startChild(COMMAND_POD_ENTRY, { label: `pod "${p.name}" (${path.basename(command.argv.at(-1) ?? '')})`, config: commandConfig(p, command), runId: opts.runId, readyTimeoutMs: command.startupTimeoutMs + 5000, netns })
      opts.children.push(c)
      return c
    },
    note(pod, what) {
      try {
        fs.appendFileSync(path.join(opts.logDir, `${pod}.log`), `--- svcbench: ${new Date().toISOString()} ${pod} ${what}\n`)
      } catch {
        // the log is a courtesy
      }
    },
  }
}
