/**
 * Scenario → ResolvedRun: validate everything (collecting every issue), merge defaults,
 * apply variants and CLI overrides, turn every duration in ms. Nothing here starts anything.
 * Each part of a variant has its own file (topology, latency, command, service, faults); this
 * one puts them together.
 */
import { HarnessError, ScenarioError, type ScenarioIssue } from '../errors.ts'
import { scenarioSchema, variantBodySchema, NAME_RE, type UserScenario } from './schema.ts'
import { fromZodIssues } from './format.ts'
import { parseDurationMs } from '../util/duration.ts'
import type { CliOverrides, ResolvedRun, ResolvedVariant } from '../model/scenario.ts'
import * as D from './defaults.ts'
import { expandManifests, type ManifestPreset } from './manifests.ts'
import { resolveProbes } from './probes.ts'
import { parseThresholds } from '../gate/thresholds.ts'
import { deepMerge, isPlainObject } from '../util/merge.ts'
import { showValue } from '../util/text.ts'
import { resolveLatency } from './latency.ts'
import { resolveCommand, resolvePodProcesses } from './command.ts'
import { metricPathContext, resolveNodes, resolveVia } from './topology.ts'
import { resolveService, serviceTypeOf } from './service.ts'
import { resolveClients } from './clients.ts'
import { resolveFaults, spareSlotsFor } from './faults.ts'
import { ownIssue, pathKeys, touches } from './variant-issues.ts'
import { warningsFor } from './warnings.ts'
import { resolveLoadModel } from './load-model.ts'
import { resolveConntrack, resolveUdpLoad, udpIssues } from './udp.ts'

/** Options for {@link resolveScenario}. */
export interface ResolveOptions {
  /** Scenario file path, for error messages and for resolving `cluster.manifests`. */
  file?: string
  overrides?: CliOverrides
  /** A manifests file that replaces the scenario's `cluster.manifests` (the CLI's --manifests). */
  manifests?: string
  /** The manifests' Service to run (the CLI's --service). */
  service?: string
  /** That Service's port, by name or number (the CLI's --port). */
  port?: string
}

/** Variants whose load.clientIps was set (by the scenario or --client-ips): only those are warned about it. */
const clientIpsSet = new WeakSet<ResolvedVariant>()

type Obj = Record<string, unknown>

/** Resolve one already schema-valid body (base merged with a variant); `where` prefixes issue paths. */
function resolveBody(name: string, body: Obj, where: string, issues: ScenarioIssue[], ctx: { seed: number; file?: string; preset?: ManifestPreset }): ResolvedVariant {
  const { seed, file: scenarioFile } = ctx
  const p = (s: string) => (where === '' ? s : `${where}.${s}`)
  const cluster = (body.cluster ?? {}) as Obj
  const load = (body.load ?? {}) as Obj
  const pod = (cluster.pod ?? {}) as Obj

  const basePod = {
    latency: resolveLatency(pod.latencyMs, p('cluster.pod.latencyMs'), issues),
    responseBytes: (pod.responseBytes as number | undefined) ?? D.DEFAULT_RESPONSE_BYTES,
    errorRate: (pod.errorRate as number | undefined) ?? D.DEFAULT_ERROR_RATE,
  }
  const { nodes, replicas } = resolveNodes(cluster, basePod, p, issues)

  const network = (cluster.network ?? {}) as Obj
  const hopLatencyMs = (network.hopLatencyMs as number | undefined) ?? D.DEFAULT_HOP_LATENCY_MS
  if (hopLatencyMs > 0 && hopLatencyMs < 1) {
    issues.push({
      path: p('cluster.network.hopLatencyMs'),
      message: `got ${hopLatencyMs}; expected 0 or at least 1 (Node timers have 1 ms granularity, so a smaller delay cannot be realised honestly; the hop itself is a real relay)`,
    })
  }

  const rawService = (body.service ?? {}) as Obj
  const clients = resolveClients(load, serviceTypeOf(rawService), nodes, p, issues)
  const service = resolveService(rawService, p, issues, { filePreset: ctx.preset, from: clients.from })
  const via = clients.from === 'external' ? resolveVia(load.via, nodes, p, issues) : []
  const faults = resolveFaults(body.faults, nodes, seed, p, issues)
  const command = resolveCommand(pod, { nodes: cluster.nodes, faults: body.faults, scenarioFile, p }, issues)
  const { stagesMs, ...loadModel } = resolveLoadModel(load, p, issues)
  // With stages and no duration, the measured phase lasts as long as the stages.
  const durationMs = parseDurationMs(load.duration) ?? stagesMs ?? D.DEFAULT_DURATION_MS
  const warmupMs = parseDurationMs(load.warmup) ?? D.DEFAULT_WARMUP_MS
  const requestTimeoutMs = parseDurationMs(load.requestTimeout) ?? D.DEFAULT_REQUEST_TIMEOUT_MS
  if (durationMs < 100) issues.push({ path: p('load.duration'), message: `got ${showValue(load.duration)}; expected at least 100ms` })
  if (requestTimeoutMs < 1000) issues.push({ path: p('load.requestTimeout'), message: `got ${showValue(load.requestTimeout)}; expected at least 1s (autocannon's timeout is in whole seconds or more)` })
  const podPort = (pod.port as number | undefined) ?? D.DEFAULT_POD_PORT
  const probes = resolveProbes(pod, { command, podPort, p }, issues)
  if (durationMs + warmupMs > D.MAX_RUN_MS) {
    issues.push({ path: p('load.duration'), message: `warm-up + duration is ${durationMs + warmupMs}ms; expected at most ${D.MAX_RUN_MS}ms (1h) so that every run stops by itself` })
  }

  const v: ResolvedVariant = {
    name,
    cluster: {
      nodes,
      replicas,
      podPort,
      pod: basePod,
      command,
      ...probes,
      terminationGracePeriodSeconds: (pod.terminationGracePeriodSeconds as number | undefined) ?? D.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
      preStopSleepSeconds: (pod.preStopSleepSeconds as number | undefined) ?? 0,
      endpointPropagationMs: (cluster.endpointPropagationMs as number | undefined) ?? D.DEFAULT_ENDPOINT_PROPAGATION_MS,
      nodeMonitorGracePeriodSeconds: (cluster.nodeMonitorGracePeriodSeconds as number | undefined) ?? D.DEFAULT_NODE_MONITOR_GRACE_PERIOD_SECONDS,
      spareSlots: 0,
      podProcesses: resolvePodProcesses(cluster.podProcesses, replicas, command, p, issues),
      network: { hopLatencyMs },
      conntrack: resolveConntrack(cluster, service.dataplane, p, issues),
    },
    service,
    load: {
      durationMs,
      warmupMs,
      connections: (load.connections as number | undefined) ?? D.DEFAULT_CONNECTIONS,
      clientIps: (load.clientIps as number | undefined) ?? D.DEFAULT_CLIENT_IPS,
      keepAlive: (load.keepAlive as boolean | undefined) ?? D.DEFAULT_KEEP_ALIVE,
      connectionLifetimeMs: parseDurationMs(load.connectionLifetime) ?? 0,
      path: (load.path as string | undefined) ?? D.DEFAULT_PATH,
      ...clients,
      via,
      requestTimeoutMs,
      ...loadModel,
      ...resolveUdpLoad(load, service.protocol, p, issues),
    },
    lbPresetSource: lbPresetSource(body.service, service.loadBalancer !== null, ctx.preset),
    faults,
    thresholds: parseThresholds(body.thresholds as Record<string, unknown> | undefined, metricPathContext(nodes, faults.length), p('thresholds'), issues),
  }
  if (load.clientIps !== undefined) clientIpsSet.add(v)
  issues.push(...udpIssues(v, { service: (body.service ?? {}) as Obj, load }, p))
  return v
}

/** Where the load balancer's preset came from: the scenario's own, the manifests', or the default. */
function lbPresetSource(service: unknown, hasLb: boolean, preset: ManifestPreset | undefined): string | null {
  if (!hasLb) return null
  const own = isPlainObject(service) && isPlainObject(service.loadBalancer) ? service.loadBalancer.preset : undefined
  return own !== undefined ? 'scenario' : preset !== undefined ? `file: ${preset.source}` : 'default'
}

/**
 * Validate and resolve a scenario's default export. Throws one ScenarioError listing every
 * issue (schema, semantics, variants, overrides) before anything starts, and a HarnessError
 * (RESOLVE_FAILED) when the resolver itself fails on a scenario the schema accepted: a variant is
 * never dropped in silence, and a run never has zero variants.
 */
export function resolveScenario(rawInput: unknown, opts: ResolveOptions = {}): ResolvedRun {
  // Manifests (a file read) become plain scenario fields first; their errors stand alone.
  const expanded = expandManifests(rawInput, { scenarioFile: opts.file, manifestPath: opts.manifests, service: opts.service, port: opts.port })
  const input = expanded.scenario
  const issues: ScenarioIssue[] = []
  const parsed = scenarioSchema.safeParse(input, { reportInput: true })
  if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues as never))
  if (!isPlainObject(input)) throw new ScenarioError(issues, { file: opts.file, warnings: expanded.warnings })

  const raw = input as Obj & Partial<UserScenario>
  const { name, description, seed, variants: rawVariants, ...body } = raw
  const runSeed = opts.overrides?.seed ?? (typeof seed === 'number' ? seed : D.DEFAULT_SEED)
  const entries: [string, unknown][] = isPlainObject(rawVariants) ? Object.entries(rawVariants) : []
  if (isPlainObject(rawVariants) && entries.length === 0) {
    issues.push({ path: 'variants', message: 'got {}; expected at least one variant, or leave variants out' })
  }

  const resolved = resolveVariants(body, entries, { seed: runSeed, file: opts.file, schemaValid: parsed.success, preset: expanded.preset }, issues)
  const o = opts.overrides ?? {}
  const variants = applyOverrides(resolved.variants, o, issues)

  if (issues.length > 0) throw new ScenarioError(dedupe(issues), { file: opts.file, warnings: expanded.warnings })
  // Only input the schema rejected may stop the resolver, and then the ScenarioError above is thrown.
  if (resolved.lost.length > 0 || variants.length === 0) {
    throw new HarnessError('RESOLVE_FAILED', `${opts.file ?? 'scenario'}: no issue was found, yet ${resolved.lost.length > 0 ? `variant${resolved.lost.length === 1 ? '' : 's'} ${resolved.lost.map((n) => JSON.stringify(n)).join(', ')} did not resolve` : 'no variant resolved'}`)
  }

  const multi = variants.length > 1
  return {
    name: name as string,
    description: (description as string | undefined) ?? '',
    seed: o.seed ?? (seed as number | undefined) ?? D.DEFAULT_SEED,
    file: opts.file,
    variants,
    warnings: [...expanded.warnings, ...variants.flatMap((v) => warningsFor(v, multi, { clientIpsSet: clientIpsSet.has(v) }))],
    notes: expanded.notes,
    manifests: expanded.manifests,
  }
}

/** What {@link resolveVariants} needs besides the body. */
interface VariantsContext {
  seed: number
  file: string | undefined
  /** The whole scenario passed the schema. */
  schemaValid: boolean
  /** The load balancer preset the manifests imply. */
  preset: ManifestPreset | undefined
}

/**
 * Every variant of the body: the body alone when `entries` is empty, else each override merged
 * into it. `lost` names the variants the resolver could not resolve because the schema had
 * already rejected their input (so a ScenarioError follows).
 */
function resolveVariants(body: Obj, entries: [string, unknown][], ctx: VariantsContext, issues: ScenarioIssue[]): { variants: ResolvedVariant[]; lost: string[] } {
  const lost: string[] = []
  // Semantic checks run even when the schema failed, so that one pass reports everything;
  // a semantic issue under a path the schema already reported is noise and is dropped.
  const schemaPaths = issues.map((i) => i.path)
  const underSchemaIssue = (path: string) =>
    schemaPaths.some((sp) => path === sp || path.startsWith(`${sp}.`) || path.startsWith(`${sp}[`))
  const semantic = (vname: string, b: Obj, schemaValid: boolean, keep: (i: ScenarioIssue) => ScenarioIssue | undefined) => {
    const local: ScenarioIssue[] = []
    let v: ResolvedVariant | undefined
    try {
      v = resolveBody(vname, b, '', local, { seed: ctx.seed, file: ctx.file, preset: ctx.preset })
    } catch (e) {
      // Malformed input the schema has reported may trip the resolver; on valid input it is a bug.
      if (schemaValid) throw new HarnessError('RESOLVE_FAILED', `resolving variant "${vname}" failed on input the schema accepted: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      lost.push(vname)
    }
    for (const i of local) {
      const k = keep(i)
      if (k !== undefined && !underSchemaIssue(k.path)) issues.push(k)
    }
    return v
  }

  const variants: ResolvedVariant[] = []
  if (entries.length === 0) {
    const v = semantic(D.DEFAULT_VARIANT_NAME, body, ctx.schemaValid, (i) => i)
    if (v !== undefined) variants.push(v)
    return { variants, lost }
  }
  // The base body is checked once; each variant then reports only what its override caused.
  semantic(D.DEFAULT_VARIANT_NAME, body, ctx.schemaValid, (i) => i)
  for (const [vname, override] of entries) {
    const vpath = `variants.${vname}`
    if (!NAME_RE.test(vname)) {
      issues.push({ path: vpath, message: `variant name ${showValue(vname)} is not allowed; expected lowercase letters, digits and dashes ([a-z0-9-]+)` })
    }
    if (!isPlainObject(override)) continue // reported by the schema
    const merged = deepMerge(body, override) as Obj
    const check = variantBodySchema.safeParse(merged, { reportInput: true })
    if (!check.success) {
      const own = check.error.issues.flatMap((i) => ownIssue(override, i as never))
      issues.push(...fromZodIssues(own, ['variants', vname]))
    }
    const v = semantic(vname, merged, ctx.schemaValid && check.success, (i) =>
      touches(override, pathKeys(i.path))
        ? { path: `${vpath}.${i.path}`, message: i.message }
        : undefined,
    )
    if (v !== undefined) variants.push(v)
  }
  return { variants, lost }
}

/**
 * The command line's overrides (--variant, --duration, --warmup, --connections, --client-ips, --rate)
 * on the resolved variants, checked again where they change what was checked: the run's length
 * and the faults' times. Returns the variants that run.
 */
function applyOverrides(all: ResolvedVariant[], o: CliOverrides, issues: ScenarioIssue[]): ResolvedVariant[] {
  let variants = all
  if (o.variant !== undefined) {
    const keep = all.filter((v) => v.name === o.variant)
    if (keep.length === 0) {
      issues.push({ path: '--variant', message: `got ${showValue(o.variant)}; expected one of ${all.map((v) => JSON.stringify(v.name)).join(', ')}` })
    } else {
      variants = keep
    }
  }
  const where = (v: ResolvedVariant) => (variants.length > 1 ? `variants.${v.name}: ` : '')
  for (const v of variants) {
    if (o.durationMs !== undefined) v.load.durationMs = o.durationMs
    if (o.warmupMs !== undefined) v.load.warmupMs = o.warmupMs
    if (o.connections !== undefined) v.load.connections = o.connections
    if (o.clientIps !== undefined) {
      v.load.clientIps = o.clientIps
      clientIpsSet.add(v)
    }
    if (o.rateRps !== undefined) Object.assign(v.load, { model: 'open', startRps: o.rateRps, stages: [] })
    v.cluster.spareSlots = spareSlotsFor(v)
    const totalMs = v.load.durationMs + v.load.warmupMs
    if ((o.durationMs !== undefined || o.warmupMs !== undefined) && totalMs > D.MAX_RUN_MS) {
      const flags = [o.durationMs === undefined ? '' : `--duration ${o.durationMs}ms`, o.warmupMs === undefined ? '' : `--warmup ${o.warmupMs}ms`].filter((x) => x !== '').join(' and ')
      issues.push({
        path: `${where(v)}${o.durationMs === undefined ? '--warmup' : '--duration'}`,
        message: `warm-up + duration is ${totalMs}ms with ${flags}; expected at most ${D.MAX_RUN_MS}ms (1h) so that every run stops by itself`,
      })
    }
    for (const f of v.faults) {
      if (f.atMs >= v.load.durationMs) {
        issues.push({
          path: `${where(v)}faults (${f.action} ${f.target})`,
          message: `at ${f.atMs}ms is not inside the measured phase; expected a time before load.duration (${v.load.durationMs}ms)`,
        })
      }
    }
  }
  return variants
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const k = `${i.path}\0${i.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

