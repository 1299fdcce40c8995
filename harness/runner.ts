/**
 * Runs a resolved scenario: for each variant, a fresh cluster, warm-up, reset, measured load,
 * collection, teardown. Everything started is stopped in `finally`. An aborted signal (SIGINT)
 * stops the load at once; what was measured so far is kept and marked interrupted.
 */
import os from 'node:os'
import { createRequire } from 'node:module'
import { leaseBlock, preferredBlock, type AddressPlan } from './cluster/address-plan.ts'
import { startCluster } from './cluster/cluster.ts'
import { createFaultDriver } from './faults/driver.ts'
import type { AppliedFault } from './stats/types.ts'
import { startEndpointsController } from './cluster/endpoints.ts'
import { createRng, deriveSeed } from './util/rng.ts'
import { createLoadExecutor } from './load/registry.ts'
import { clientAddressCount, executorFor, openPlanFor, udpPlanFor } from './load/plan.ts'
import { driveLoad } from './load/drive.ts'
import { summarizeVariant } from './stats/summary.ts'
import { summarizeCpu } from './stats/cpu.ts'
import { createCpuSampler } from './util/cpu.ts'
import { summarizeLatency } from './stats/latency.ts'
import { startChild } from './process/child.ts'
import { prepareBundles } from './process/bundle.ts'
import { fileURLToPath } from 'node:url'
import { holds, liveValue } from './gate/thresholds.ts'
import { variantMetrics } from './gate/metrics.ts'
import type { ResolvedFault, ResolvedRun, ResolvedVariant } from './model/scenario.ts'
import type { TimedEndpointEvent, LoadProgress } from './model/measurements.ts'
import type { VariantResult } from './model/results.ts'
import type { CpuSummary } from './model/summaries.ts'
import type { GateResult, PairedSchedule } from './model/gate-result.ts'
import { ScenarioError } from './errors.ts'
import type { PodConfig } from './model/wire.ts'
import type { RunResult } from './model/results.ts'
import type { Machine, Versions } from './model/run-info.ts'

const require = createRequire(import.meta.url)

/** Versions recorded in every result. */
export function versions(): Versions {
  const pkg = (name: string) => (require(`${name}/package.json`) as { version: string }).version
  return {
    svcbench: (require('../package.json') as { version: string }).version,
    node: process.version,
    autocannon: pkg('autocannon'),
    undici: pkg('undici'),
  }
}

/** The machine a run ran on. */
export function machine(): Machine {
  const cpus = os.cpus()
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', platform: os.platform(), arch: os.arch(), totalMemoryBytes: os.totalmem() }
}

/** What the runner tells its caller as it goes. */
export interface RunEvents {
  /** `index` counts runs over all variants and trials; `trial` is 1-based. */
  onVariantStart?(v: ResolvedVariant, index: number, count: number, trial?: number): void
  onPhase?(v: ResolvedVariant, phase: 'starting' | 'warmup' | 'measuring' | 'collecting', totalMs: number): void
  onProgress?(v: ResolvedVariant, p: LoadProgress & { elapsedMs: number; totalMs: number }): void
  onVariantDone?(r: VariantResult): void
  /** A trial was disturbed by another program (`otherPct` of a core) and runs again. */
  onDisturbed?(v: ResolvedVariant, otherPct: number): void
}

/** Options for {@link runScenario}. */
export interface RunOptions extends RunEvents {
  signal?: AbortSignal
  /** Unique id put on every child's argv. */
  runId?: string
  /** Use exactly this address block (127.N.0.0/16). */
  addressBlock?: number
  /** Run each variant this many times, interleaved (A B, B A, A B, ...); records per-trial metrics. */
  trials?: number
  /** Measure the calibration path (autocannon straight to a reference pod) in every trial. */
  calibrate?: boolean
  /** Where command pods write their logs (`<logDir>/<pod>.log`). */
  logDir?: string
  /** Share of a core other programs may use before a trial counts as disturbed. @default DISTURBED_OTHER_PCT */
  disturbedOtherPct?: number
  /**
   * Run the run's two variants (baseline first) as `trials` adjacent pairs, A B, B A, A B, …; a
   * disturbed trial runs again with its partner, as a pair. Needs exactly two variants. @default false
   */
  paired?: boolean
}

/** Calibration path: warm-up, then half the variant's measured time within these bounds, ms. */
export const CALIBRATION_WARMUP_MS = 200
export const CALIBRATION_MIN_MS = 250
export const CALIBRATION_MAX_MS = 1000

const POD_ENTRY = fileURLToPath(new URL('./pods/main.ts', import.meta.url))

/**
 * The calibration path: autocannon straight to a reference pod (svcbench's built-in pod, no
 * service time) on its own address, the same connections as the variant. It measures the machine,
 * not the code under test: pointing it at a scenario's own pod would hide that pod's regressions.
 */
async function calibrate(v: ResolvedVariant, plan: AddressPlan, runId: string, seed: number, signal: AbortSignal | undefined, disturbedOtherPct: number): Promise<VariantResult['calibration']> {
  const config: PodConfig = { name: 'reference', node: 'none', address: plan.reference, port: 8080, latency: { dist: 'constant', meanMs: 0, p99Ms: 0 }, responseBytes: 128, errorRate: 0, seed }
  const pod = startChild(POD_ENTRY, { label: 'calibration reference pod', config, runId })
  try {
    await pod.ready
    // Another program busy on the machine spoils the calibration: measure again (twice at most).
    let best: NonNullable<VariantResult['calibration']> | undefined
    for (let attempt = 0; attempt < 3; attempt++) {
      const cpu = createCpuSampler(() => [{ role: 'load-generator', name: 'svcbench', pid: process.pid }, { role: 'pod', name: 'reference', pid: pod.pid }], 250)
      const epochMs = Date.now() + CALIBRATION_WARMUP_MS
      cpu.startAt(epochMs)
      // Always the closed model: the machine's capacity with the variant's connections.
      const r = await driveLoad(createLoadExecutor('closed').start({ targets: [{ host: plan.reference, port: 8080 }], clientAddresses: [plan.client(0)], connections: v.load.connections, keepAlive: true, connectionLifetimeMs: 0, path: '/', requestTimeoutMs: v.load.requestTimeoutMs, signal, durationMs: Math.min(CALIBRATION_MAX_MS, Math.max(CALIBRATION_MIN_MS, v.load.durationMs / 2)), epochMs }))
      const disturbed = isDisturbed(summarizeCpu(cpu.stop(), os.cpus().length), disturbedOtherPct)
      const lat = summarizeLatency(r.latency)
      const sec = r.elapsedMs / 1000
      const c = { rps: Math.round((r.responses / sec) * 10) / 10, p50: lat.p50, p99: lat.p99 }
      if (best === undefined || c.rps > best.rps) best = c
      if (!disturbed || signal?.aborted === true) break
    }
    return best ?? null
  } finally {
    await pod.kill()
  }
}


type Abort = NonNullable<RunResult['aborted']>

/**
 * Other programs used more than this share of a core during a measured phase (or a calibration):
 * the trial is disturbed. This run's own processes and the kernel's loopback work stay well
 * under it (measured: 0–4% of a core, CPU-saturated runs included).
 */
export const DISTURBED_OTHER_PCT = 20

/** Whether another program's CPU use disturbed a measured phase (a trial's or a calibration's). */
export function isDisturbed(cpu: Pick<CpuSummary, 'otherPct'> | null | undefined, limitPct = DISTURBED_OTHER_PCT): boolean {
  return (cpu?.otherPct ?? 0) > limitPct
}

async function runVariant(v: ResolvedVariant, run: ResolvedRun, plan: AddressPlan, opts: RunOptions, runId: string, onAbort: (a: Abort) => void): Promise<VariantResult | undefined> {
  opts.onPhase?.(v, 'starting', 0)
  const calibration = opts.calibrate === true ? await calibrate(v, plan, runId, run.seed, opts.signal, opts.disturbedOtherPct ?? DISTURBED_OTHER_PCT) : null
  // abortOnFail thresholds stop this variant's load (and the run) as soon as they fail.
  const stopLoad = new AbortController()
  const signal = opts.signal === undefined ? stopLoad.signal : AbortSignal.any([opts.signal, stopLoad.signal])
  const live = v.thresholds.filter((t) => t.abortOnFail)
  const cluster = await startCluster(v, { plan, seed: run.seed, runId, logDir: opts.logDir })
  const nodeAddr = new Map(cluster.topology.nodes.map((n) => [n.name, n.address]))
  const controller = startEndpointsController({
    pods: cluster.topology.pods.map((p) => ({ name: p.name, address: p.address, port: p.port, node: p.node, nodeAddress: nodeAddr.get(p.node)!, spare: p.spare })),
    // The kubelet probes from its node: the dataplane knows where that is.
    probeFromNode: (pod, probe) => cluster.probeFromNode(pod.node as string, probe),
    probe: v.cluster.readinessProbe,
    handler: v.cluster.readinessProbeHandler,
    startupProbe: v.cluster.startupProbe,
    propagationMs: v.cluster.endpointPropagationMs,
    publish: (ready, terminating) => cluster.publishEndpoints(ready, terminating),
    rng: createRng(deriveSeed(run.seed, `${v.name}/probes`)),
  })
  const faultTimers: NodeJS.Timeout[] = []
  try {
    // Clients outside the cluster at the NodePorts (or the load balancer), or client pods at the ClusterIP.
    const { targets, clientAddresses } = cluster.loadEnds()
    const base = { targets, clientAddresses, connections: v.load.connections, keepAlive: v.load.keepAlive, connectionLifetimeMs: v.load.connectionLifetimeMs, path: v.load.path, requestTimeoutMs: v.load.requestTimeoutMs, signal, open: openPlanFor(v, run.seed), udp: udpPlanFor(v) }

    if (opts.signal?.aborted === true) return undefined
    // One continuous load: warm-up and measured phase share connections, so the measured phase
    // does not start cold. Pods, proxies and the load generator count only from the epoch.
    const startMs = Date.now()
    const epochMs = startMs + v.load.warmupMs
    await cluster.reset(epochMs)
    let measuring = v.load.warmupMs === 0
    opts.onPhase?.(v, measuring ? 'measuring' : 'warmup', measuring ? v.load.durationMs : v.load.warmupMs)
    // CPU of every process of the run, over the measured phase (measurement validity).
    const cpu = createCpuSampler(() => [{ role: 'load-generator', name: 'svcbench', pid: process.pid }, ...cluster.processes()])
    cpu.startAt(epochMs)
    const applied: AppliedFault[] = []
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
            .catch(() => {}) // kept by the driver: driver.failed(fault) goes into the results
        }, Math.max(0, epochMs + fault.atMs - Date.now())),
      )
    }
    // Where the clients live: this process (proxy), or the kernel dataplane's client namespace.
    const load = await driveLoad(cluster.startLoad(executorFor(v), { ...base, durationMs: v.load.durationMs, epochMs }), (p) => {
      const now = Date.now()
      if (!measuring && now >= epochMs) {
        measuring = true
        opts.onPhase?.(v, 'measuring', v.load.durationMs)
      }
      opts.onProgress?.(v, measuring ? { ...p, elapsedMs: now - epochMs, totalMs: v.load.durationMs } : { ...p, elapsedMs: now - startMs, totalMs: v.load.warmupMs })
      if (measuring && !stopLoad.signal.aborted) {
        for (const t of live) {
          const value = liveValue(t.path, p.measured)
          if (now - epochMs >= t.delayAbortEvalMs && !holds(t.op, value, t.limit)) {
            onAbort({ variant: v.name, path: t.path, condition: t.condition, measured: value, atSec: Math.round((now - epochMs) / 100) / 10 })
            stopLoad.abort()
            break
          }
        }
      }
    })
    const cpuUsage = cpu.stop()
    // How each fault went, as the measured phase ended (a rolling update may still be waiting).
    for (const a of applied) a.failed = driver.failed(a.fault)
    if (Date.now() < epochMs) return undefined // interrupted during warm-up: nothing measured
    for (const t of faultTimers) clearTimeout(t)
    controller.stop()
    await controller.assertPublished()
    opts.onPhase?.(v, 'collecting', 0)
    const { pods, proxies } = await cluster.collect()
    const lb = await cluster.lbStats()
    const events: TimedEndpointEvent[] = controller.events().map((e) => ({ ...e, tMs: e.atMs - epochMs }))
    return summarizeVariant({ variant: v, topology: cluster.topology, hashSeed: cluster.hashSeed, load, pods, proxies, faults: applied, events, epochMs, lb: lb === undefined ? undefined : { ...lb, epochMs }, cpu: { usage: cpuUsage, cores: os.cpus().length }, calibration, warnings: cluster.warnings() })
  } finally {
    for (const t of faultTimers) clearTimeout(t)
    controller.stop()
    await cluster.stop()
  }
}

/**
 * The trials in the order they run, in units that run again together when disturbed: single
 * trials interleaved A B, B A, A B, … (so machine drift hits every variant alike) or, `paired`,
 * the same order cut into adjacent pairs of the two variants.
 */
function trialUnits(variants: number, trials: number, paired: boolean): (readonly [variant: number, trial: number])[][] {
  const rounds = Array.from({ length: trials }, (_, t) => {
    const idx = Array.from({ length: variants }, (_, i) => i)
    return (t % 2 === 0 ? idx : idx.reverse()).map((i) => [i, t] as const)
  })
  return paired ? rounds : rounds.flat().map((step) => [step])
}

/** Run every variant of `run` in order, each on a fresh cluster. */
export async function runScenario(run: ResolvedRun, opts: RunOptions = {}): Promise<RunResult> {
  const paired = opts.paired === true
  if (paired && run.variants.length !== 2) throw new ScenarioError([{ path: 'paired', message: `got ${run.variants.length} variants; expected exactly two (the baseline and the candidate)` }])
  const runId = opts.runId ?? `${process.pid}-${Date.now().toString(36)}`
  const startedAt = new Date().toISOString()
  const lease = await leaseBlock({ block: opts.addressBlock, prefer: preferredBlock(run.name) })
  await prepareBundles()
  const trials = Math.max(1, opts.trials ?? 1)
  const byVariant = run.variants.map(() => [] as VariantResult[])
  const pairOf = run.variants.map(() => [] as number[])
  const pairs: PairedSchedule['pairs'] = []
  let aborted: RunResult['aborted'] = null
  const units = trialUnits(run.variants.length, trials, paired)
  const steps = units.reduce((n, u) => n + u.length, 0)
  // Trials (only when asked for): a unit another program disturbed is run again, up to `trials`
  // extra runs per variant (paired: `trials` extra pairs), and a disturbed trial's partner with it.
  const retriesLeft = paired ? [trials] : run.variants.map(() => (opts.trials === undefined ? 0 : trials))
  const disturbedRuns = run.variants.map(() => [] as boolean[])
  try {
    let index = 0
    for (const unit of units) {
      const budget = paired ? 0 : unit[0]![0]
      for (;;) {
        const ran: { i: number; otherPct: number; disturbed: boolean }[] = []
        for (const [k, [i, t]] of unit.entries()) {
          if (opts.signal?.aborted === true || aborted !== null) break
          const v = run.variants[i] as ResolvedVariant
          opts.onVariantStart?.(v, index + k, steps, trials > 1 ? t + 1 : undefined)
          const r = await runVariant(v, run, lease.plan, opts, runId, (a) => (aborted = a))
          if (r === undefined) break
          const disturbed = opts.trials !== undefined && isDisturbed(r.cpu, opts.disturbedOtherPct)
          byVariant[i]!.push(r)
          disturbedRuns[i]!.push(disturbed)
          pairOf[i]!.push(pairs.length + 1)
          ran.push({ i, otherPct: r.cpu?.otherPct ?? 0, disturbed })
          opts.onVariantDone?.(r)
        }
        if (paired && ran.length > 0) pairs.push({ pair: pairs.length + 1, first: unit[0]![0] === 0 ? 'baseline' : 'candidate', disturbed: ran.some((x) => x.disturbed) })
        if (ran.length < unit.length || !ran.some((x) => x.disturbed) || retriesLeft[budget]! <= 0 || aborted !== null) break
        retriesLeft[budget]!--
        for (const x of ran.filter((y) => y.disturbed)) opts.onDisturbed?.(run.variants[x.i] as ResolvedVariant, x.otherPct)
      }
      index += unit.length
    }
  } finally {
    await lease.release()
  }
  const results: VariantResult[] = []
  byVariant.forEach((rs, i) => {
    if (rs.length === 0) return
    const flags = disturbedRuns[i]!
    const clean = rs.filter((_, k) => !flags[k])
    // The clean trial with the median throughput stands for the variant; every trial's metrics ride along.
    const pool = clean.length > 0 ? clean : rs
    const sorted = [...pool].sort((a, b) => a.requests.rps - b.requests.rps)
    const rep = sorted[Math.floor((sorted.length - 1) / 2)] as VariantResult
    if (opts.trials !== undefined) rep.trials = rs.map((r, k) => ({ trial: k + 1, metrics: variantMetrics(r), disturbed: flags[k] === true, ...(paired ? { pair: pairOf[i]![k]! } : {}) }))
    results.push(rep)
  })
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
    notes: run.notes,
    resolved: run.variants,
    variants: results,
    trials,
    aborted,
    ...(paired ? { paired: { baseline: run.variants[0]!.name, candidate: run.variants[1]!.name, pairs } } : {}),
  }
}
