/**
 * Runs a resolved scenario: for each variant, a fresh cluster, warm-up, reset, measured load,
 * collection, teardown. Everything started is stopped in `finally`. An aborted signal (SIGINT)
 * stops the load at once; what was measured so far is kept and marked interrupted.
 */
import os from 'node:os'
import { createRequire } from 'node:module'
import type { ResolvedFault, ResolvedRun, ResolvedVariant } from './scenario/resolve.ts'
import { leaseBlock, type AddressPlan } from './cluster/address-plan.ts'
import { startCluster } from './cluster/cluster.ts'
import { createFaultDriver } from './cluster/faults.ts'
import { startEndpointsController } from './cluster/endpoints.ts'
import type { TimedEndpointEvent } from './stats/failover.ts'
import { createRng, deriveSeed } from './util/rng.ts'
import { runLoad, type LoadProgress } from './load/autocannon.ts'
import { summarizeVariant, type VariantResult } from './stats/summary.ts'

const require = createRequire(import.meta.url)

/** Versions recorded in every result. */
export function versions(): { svcbench: string; node: string; autocannon: string; undici: string } {
  const pkg = (name: string) => (require(`${name}/package.json`) as { version: string }).version
  return {
    svcbench: (require('../package.json') as { version: string }).version,
    node: process.version,
    autocannon: pkg('autocannon'),
    undici: pkg('undici'),
  }
}

/** The machine a run ran on. */
export function machine(): { cpus: number; cpuModel: string; platform: string; arch: string; totalMemoryBytes: number } {
  const cpus = os.cpus()
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', platform: os.platform(), arch: os.arch(), totalMemoryBytes: os.totalmem() }
}

/** Everything a run produced; written as results.json. */
export interface RunResult {
  schemaVersion: 1
  scenario: { name: string; description: string; file: string | undefined; manifests: string | undefined }
  seed: number
  startedAt: string
  finishedAt: string
  /** True when SIGINT/SIGTERM stopped the run; variants hold what was measured. */
  interrupted: boolean
  versions: ReturnType<typeof versions>
  machine: ReturnType<typeof machine>
  /** The loopback block the run used, e.g. 127.42.0.0/16. */
  addressBlock: string
  warnings: string[]
  /** The scenario as resolved (defaults filled, durations in ms). */
  resolved: ResolvedVariant[]
  variants: VariantResult[]
}

/** What the runner tells its caller as it goes. */
export interface RunEvents {
  onVariantStart?(v: ResolvedVariant, index: number, count: number): void
  onPhase?(v: ResolvedVariant, phase: 'starting' | 'warmup' | 'measuring' | 'collecting', totalMs: number): void
  onProgress?(v: ResolvedVariant, p: LoadProgress & { elapsedMs: number; totalMs: number }): void
  onVariantDone?(r: VariantResult): void
}

/** Options for {@link runScenario}. */
export interface RunOptions extends RunEvents {
  signal?: AbortSignal
  /** Unique id put on every child's argv. */
  runId?: string
  /** Use exactly this address block (127.N.0.0/16). */
  addressBlock?: number
}

async function runVariant(v: ResolvedVariant, run: ResolvedRun, plan: AddressPlan, opts: RunOptions, runId: string): Promise<VariantResult | undefined> {
  opts.onPhase?.(v, 'starting', 0)
  const cluster = await startCluster(v, { plan, seed: run.seed, runId })
  const nodeAddr = new Map(cluster.topology.nodes.map((n) => [n.name, n.address]))
  const controller = startEndpointsController({
    pods: cluster.topology.pods.map((p) => ({ name: p.name, address: p.address, port: p.port, nodeAddress: nodeAddr.get(p.node)!, spare: p.spare })),
    probe: v.cluster.readinessProbe,
    propagationMs: v.cluster.endpointPropagationMs,
    publish: (ready, terminating) => cluster.publishEndpoints(ready, terminating),
    rng: createRng(deriveSeed(run.seed, `${v.name}/probes`)),
  })
  const faultTimers: NodeJS.Timeout[] = []
  try {
    const byName = new Map(cluster.topology.nodes.map((n) => [n.name, n]))
    const targets = cluster.frontAddress !== undefined ? [cluster.frontAddress] : v.load.via.map((name) => ({ host: byName.get(name)!.address, port: v.service.nodePort }))
    const clientAddresses = Array.from({ length: Math.min(v.load.clientIps, v.load.connections) }, (_, k) => plan.client(k))
    const base = { targets, clientAddresses, connections: v.load.connections, keepAlive: v.load.keepAlive, connectionLifetimeMs: v.load.connectionLifetimeMs, path: v.load.path, requestTimeoutMs: v.load.requestTimeoutMs, signal: opts.signal }

    if (opts.signal?.aborted === true) return undefined
    // One continuous load: warm-up and measured phase share connections, so the measured phase
    // does not start cold. Pods, proxies and the load generator count only from the epoch.
    const startMs = Date.now()
    const epochMs = startMs + v.load.warmupMs
    await cluster.reset(epochMs)
    let measuring = v.load.warmupMs === 0
    opts.onPhase?.(v, measuring ? 'measuring' : 'warmup', measuring ? v.load.durationMs : v.load.warmupMs)
    const applied: { fault: ResolvedFault; atMs: number }[] = []
    const driver = createFaultDriver(v, cluster, controller)
    for (const fault of v.faults) {
      faultTimers.push(
        setTimeout(() => {
          // The fault's time is when it took effect (a kill is sent, a pod acknowledged the change).
          const entry = { fault, atMs: Date.now() - epochMs }
          applied.push(entry)
          void driver
            .fire(fault)
            .then((effectiveAt) => {
              entry.atMs = effectiveAt - epochMs
            })
            .catch(() => {})
        }, Math.max(0, epochMs + fault.atMs - Date.now())),
      )
    }
    const load = await runLoad({ ...base, durationMs: v.load.durationMs, epochMs }, (p) => {
      const now = Date.now()
      if (!measuring && now >= epochMs) {
        measuring = true
        opts.onPhase?.(v, 'measuring', v.load.durationMs)
      }
      opts.onProgress?.(v, measuring ? { ...p, elapsedMs: now - epochMs, totalMs: v.load.durationMs } : { ...p, elapsedMs: now - startMs, totalMs: v.load.warmupMs })
    })
    if (Date.now() < epochMs) return undefined // interrupted during warm-up: nothing measured
    for (const t of faultTimers) clearTimeout(t)
    controller.stop()
    opts.onPhase?.(v, 'collecting', 0)
    const { pods, proxies } = await cluster.collect()
    const lb = await cluster.lbStats()
    const events: TimedEndpointEvent[] = controller.events().map((e) => ({ ...e, tMs: e.atMs - epochMs }))
    return summarizeVariant({ variant: v, topology: cluster.topology, hashSeed: cluster.hashSeed, load, pods, proxies, faults: applied, events, epochMs, lb: lb === undefined ? undefined : { ...lb, epochMs } })
  } finally {
    for (const t of faultTimers) clearTimeout(t)
    controller.stop()
    await cluster.stop()
  }
}

/** Run every variant of `run` in order, each on a fresh cluster. */
export async function runScenario(run: ResolvedRun, opts: RunOptions = {}): Promise<RunResult> {
  const runId = opts.runId ?? `${process.pid}-${Date.now().toString(36)}`
  const startedAt = new Date().toISOString()
  const lease = await leaseBlock({ block: opts.addressBlock })
  const results: VariantResult[] = []
  try {
    for (const [i, v] of run.variants.entries()) {
      if (opts.signal?.aborted === true) break
      opts.onVariantStart?.(v, i, run.variants.length)
      const r = await runVariant(v, run, lease.plan, opts, runId)
      if (r !== undefined) {
        results.push(r)
        opts.onVariantDone?.(r)
      }
    }
  } finally {
    await lease.release()
  }
  return {
    schemaVersion: 1,
    scenario: { name: run.name, description: run.description, file: run.file, manifests: run.manifests },
    seed: run.seed,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: opts.signal?.aborted === true,
    versions: versions(),
    machine: machine(),
    addressBlock: `127.${lease.plan.block}.0.0/16`,
    warnings: run.warnings,
    resolved: run.variants,
    variants: results,
  }
}
