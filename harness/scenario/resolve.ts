/**
 * Scenario → ResolvedRun: validate everything (collecting every issue), merge defaults,
 * apply variants and CLI overrides, turn every duration into ms. Nothing here starts anything.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ScenarioError, type ScenarioIssue } from '../errors.ts'
import { scenarioSchema, variantBodySchema, NAME_RE, MAX_PODS, type UserScenario } from './schema.ts'
import { createRng, deriveSeed } from '../util/rng.ts'
import { fromZodIssues } from './format.ts'
import { parseDurationMs } from '../util/duration.ts'
import { CLIENT_HASHING, algorithmFor } from '../balancers/registry.ts'
import { BALANCER_ALIASES, type BalancerName, type IpvsFlag, type IpvsScheduler, type ProxyMode } from '../model/kube-proxy.ts'
import type { CliOverrides, ResolvedCommand, ResolvedFault, ResolvedLatency, ResolvedNode, ResolvedPodSpec, ResolvedProbe, ResolvedRun, ResolvedVariant } from '../model/scenario.ts'
import type { LbPresetName, LbSettings } from '../model/load-balancer.ts'
import * as D from './defaults.ts'
import { expandManifests } from './manifests.ts'
import { parseThresholds, type PathContext } from '../gate/thresholds.ts'
import { LB_PRESETS } from './lb-presets.ts'
import { deepMerge, isPlainObject } from '../util/merge.ts'
import { showValue, didYouMean } from '../util/text.ts'

/** Split a command line on spaces; "..." and '...' quote, backslash escapes. Null on an unclosed quote. */
export function splitCommandLine(line: string): string[] | null {
  const out: string[] = []
  let cur = ''
  let has = false
  let quote: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (quote !== null) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i]
      else cur += c
    } else if (c === '"' || c === "'") {
      quote = c
      has = true
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]
      has = true
    } else if (/\s/.test(c)) {
      if (has || cur !== '') out.push(cur)
      cur = ''
      has = false
    } else cur += c
  }
  if (quote !== null) return null
  if (has || cur !== '') out.push(cur)
  return out
}

/** Options for {@link resolveScenario}. */
export interface ResolveOptions {
  /** Scenario file path, for error messages and for resolving `cluster.manifests`. */
  file?: string
  overrides?: CliOverrides
  /** A manifests file that replaces the scenario's `cluster.manifests` (the CLI's --manifests). */
  manifests?: string
}

type Obj = Record<string, unknown>


/** Letters for node names: 0 → a, 25 → z, 26 → aa. */
function nodeSuffix(i: number): string {
  let s = ''
  let n = i
  do {
    s = String.fromCharCode(97 + (n % 26)) + s
    n = Math.floor(n / 26) - 1
  } while (n >= 0)
  return s
}

const Z99 = 2.3263478740408408 // standard normal 0.99 quantile

function resolveLatency(raw: unknown, path: string, issues: ScenarioIssue[]): ResolvedLatency {
  if (raw === undefined) return { dist: 'constant', meanMs: D.DEFAULT_POD_LATENCY_MS, p99Ms: D.DEFAULT_POD_LATENCY_MS }
  if (typeof raw === 'number') return { dist: 'constant', meanMs: raw, p99Ms: raw }
  const l = raw as { dist: ResolvedLatency['dist']; meanMs: number; p99Ms?: number }
  if (l.dist === 'constant') {
    if (l.p99Ms !== undefined && l.p99Ms !== l.meanMs) {
      issues.push({ path: `${path}.p99Ms`, message: `got ${l.p99Ms}; a constant latency has p99 = meanMs (${l.meanMs}); drop p99Ms or use dist "lognormal"` })
    }
    return { dist: 'constant', meanMs: l.meanMs, p99Ms: l.meanMs }
  }
  if (l.dist === 'exponential') {
    const p99 = l.meanMs * Math.log(100)
    if (l.p99Ms !== undefined) {
      issues.push({ path: `${path}.p99Ms`, message: `got ${l.p99Ms}; an exponential latency's p99 is fixed by its mean (${p99.toFixed(2)}ms); drop p99Ms or use dist "lognormal"` })
    }
    return { dist: 'exponential', meanMs: l.meanMs, p99Ms: p99 }
  }
  const p99 = l.p99Ms ?? l.meanMs * D.DEFAULT_LOGNORMAL_P99_OVER_MEAN
  // A lognormal with a given mean reaches p99/mean of at most exp(Z99²/2) ≈ 14.97.
  const maxRatio = Math.exp((Z99 * Z99) / 2)
  if (l.meanMs <= 0) {
    issues.push({ path: `${path}.meanMs`, message: `got ${l.meanMs}; a lognormal latency needs meanMs > 0` })
  } else if (!(p99 > l.meanMs) || p99 / l.meanMs > maxRatio) {
    issues.push({
      path: `${path}.p99Ms`,
      message: `got ${p99}; a lognormal with meanMs ${l.meanMs} needs p99Ms above the mean and at most ${(l.meanMs * maxRatio).toFixed(2)} (${maxRatio.toFixed(2)}× the mean)`,
    })
  }
  return { dist: 'lognormal', meanMs: l.meanMs, p99Ms: p99 }
}

function durationField(raw: unknown, fallback: number): number {
  return raw === undefined ? fallback : (parseDurationMs(raw) ?? fallback)
}

/** Resolve one already schema-valid body (base merged with a variant). */
const BUILT_IN_POD_FIELDS = ['latencyMs', 'responseBytes', 'errorRate'] as const
const COMMAND_FIELDS = ['args', 'env', 'cwd', 'readinessPath', 'startupTimeout'] as const
/** Faults that need svcbench's built-in pod (they change how it answers). */
const BUILT_IN_POD_FAULTS = ['slow-pod', 'fail-pod']

function resolveCommand(pod: Obj, nodes: unknown, faults: unknown, scenarioFile: string | undefined, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedCommand | null {
  if (pod.command === undefined) {
    for (const f of COMMAND_FIELDS) if (pod[f] !== undefined) issues.push({ path: p(`cluster.pod.${f}`), message: 'only applies with cluster.pod.command (your own server as the pods); set command or remove it' })
    return null
  }
  for (const f of BUILT_IN_POD_FIELDS) {
    if (pod[f] !== undefined) issues.push({ path: p(`cluster.pod.${f}`), message: `got ${showValue(pod[f])}; does not apply with cluster.pod.command (your server decides how it answers); remove it` })
  }
  if (Array.isArray(nodes)) {
    nodes.forEach((n: Obj, i) => {
      if (!Array.isArray(n?.pods)) return
      ;(n.pods as Obj[]).forEach((ps, j) => {
        for (const f of BUILT_IN_POD_FIELDS) if (ps?.[f] !== undefined) issues.push({ path: p(`cluster.nodes[${i}].pods[${j}].${f}`), message: 'does not apply with cluster.pod.command; only weight does' })
      })
    })
  }
  if (Array.isArray(faults)) {
    faults.forEach((f: Obj, i) => {
      if (BUILT_IN_POD_FAULTS.includes(f?.action as string)) {
        issues.push({ path: p(`faults[${i}].action`), message: `got ${showValue(f.action)}; it needs svcbench's built-in pod; with cluster.pod.command use kill-pod, hang-pod (SIGSTOP), recover-pod, delete-pod, kill-node, drain-node, scale or rolling-update` })
      }
    })
  }
  const line = typeof pod.command === 'string' ? splitCommandLine(pod.command) : null
  if (line === null || line.length === 0) {
    issues.push({ path: p('cluster.pod.command'), message: `got ${showValue(pod.command)}; expected a command line such as "node dist/server.js" (with closed quotes)` })
    return null
  }
  const argv = [...line, ...((pod.args as string[] | undefined) ?? [])]
  if (argv[0] === 'node') argv[0] = process.execPath
  const base = scenarioFile === undefined ? process.cwd() : path.dirname(path.resolve(scenarioFile))
  const cwd = path.resolve(base, (pod.cwd as string | undefined) ?? '.')
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) issues.push({ path: p('cluster.pod.cwd'), message: `got ${showValue(pod.cwd ?? '.')}; ${cwd} is not a folder; expected a folder relative to the scenario file` })
  const env = (pod.env as Record<string, string> | undefined) ?? {}
  for (const k of ['HOST', 'PORT']) if (k in env) issues.push({ path: p(`cluster.pod.env.${k}`), message: `svcbench sets ${k} (the pod's address and port); remove it` })
  return {
    argv,
    cwd,
    env,
    readinessPath: (pod.readinessPath as string | undefined) ?? D.DEFAULT_READINESS_PROBE.path,
    startupTimeoutMs: durationField(pod.startupTimeout, D.DEFAULT_COMMAND_STARTUP_TIMEOUT_MS),
  }
}

/** What metric paths a variant with these nodes and faults has (pods and nodes by name, faults by index). */
export function metricPathContext(nodes: readonly ResolvedNode[], faults: number): PathContext {
  return { pods: podPlacement(nodes).map((x) => x.name), nodes: nodes.map((n) => n.name), faults }
}

/** Pods above which `podProcesses: 'auto'` hosts a node's pods in one process. */
export const PER_POD_PROCESS_LIMIT = 64

function resolvePodProcesses(raw: unknown, replicas: number, command: ResolvedCommand | null, p: (s: string) => string, issues: ScenarioIssue[]): 'per-pod' | 'per-node' {
  if (command !== null) {
    if (raw === 'per-node') issues.push({ path: p('cluster.podProcesses'), message: 'got "per-node"; cluster.pod.command runs each replica as its own process; remove podProcesses or use "per-pod"' })
    return 'per-pod'
  }
  if (raw === 'per-pod' || raw === 'per-node') return raw
  return replicas > PER_POD_PROCESS_LIMIT ? 'per-node' : 'per-pod'
}

function resolveBody(name: string, body: Obj, where: string, issues: ScenarioIssue[], seed: number, scenarioFile?: string): ResolvedVariant {
  const p = (s: string) => (where === '' ? s : `${where}.${s}`)
  const cluster = (body.cluster ?? {}) as Obj
  const service = (body.service ?? {}) as Obj
  const load = (body.load ?? {}) as Obj
  const pod = (cluster.pod ?? {}) as Obj

  const basePod = {
    latency: resolveLatency(pod.latencyMs, p('cluster.pod.latencyMs'), issues),
    responseBytes: (pod.responseBytes as number | undefined) ?? D.DEFAULT_RESPONSE_BYTES,
    errorRate: (pod.errorRate as number | undefined) ?? D.DEFAULT_ERROR_RATE,
  }
  const defaultSpec = (): ResolvedPodSpec => ({ weight: 1, ...basePod })
  let nodes: ResolvedNode[]
  let replicas: number
  if (Array.isArray(cluster.nodes)) {
    nodes = (cluster.nodes as { name: string; pods: number | Obj[] }[]).map((n, i) => {
      if (typeof n.pods === 'number') return { name: n.name, pods: n.pods, podSpecs: Array.from({ length: n.pods }, defaultSpec) }
      const specs = n.pods.map((ps, j) => ({
        weight: (ps.weight as number | undefined) ?? 1,
        latency: ps.latencyMs === undefined ? basePod.latency : resolveLatency(ps.latencyMs, p(`cluster.nodes[${i}].pods[${j}].latencyMs`), issues),
        responseBytes: (ps.responseBytes as number | undefined) ?? basePod.responseBytes,
        errorRate: (ps.errorRate as number | undefined) ?? basePod.errorRate,
      }))
      return { name: n.name, pods: specs.length, podSpecs: specs }
    })
    replicas = nodes.reduce((s, n) => s + n.pods, 0)
    const seen = new Set<string>()
    nodes.forEach((n, i) => {
      if (seen.has(n.name)) issues.push({ path: p(`cluster.nodes[${i}].name`), message: `got ${showValue(n.name)}; node names must be unique` })
      seen.add(n.name)
    })
    if (cluster.replicas !== undefined && cluster.replicas !== replicas) {
      issues.push({
        path: p('cluster.replicas'),
        message: `got ${String(cluster.replicas)}; cluster.nodes places ${replicas} pods; drop replicas or make the two agree`,
      })
    }
    if (replicas === 0) issues.push({ path: p('cluster.nodes'), message: 'places 0 pods; expected at least one pod on some node' })
    if (replicas > MAX_PODS) issues.push({ path: p('cluster.nodes'), message: `places ${replicas} pods; expected at most ${MAX_PODS}` })
  } else {
    const count = (cluster.nodes as number | undefined) ?? D.DEFAULT_NODES
    replicas = (cluster.replicas as number | undefined) ?? D.DEFAULT_REPLICAS
    nodes = Array.from({ length: count }, (_, i) => {
      const pods = Math.floor(replicas / count) + (i < replicas % count ? 1 : 0)
      return { name: `node-${nodeSuffix(i)}`, pods, podSpecs: Array.from({ length: pods }, defaultSpec) }
    })
  }
  if (nodes.length > 0 && nodes.flatMap((n) => n.podSpecs).every((ps) => ps.weight === 0)) {
    issues.push({ path: p('cluster.nodes'), message: 'every pod has weight 0; expected at least one pod with weight > 0' })
  }

  const network = (cluster.network ?? {}) as Obj
  const hopLatencyMs = (network.hopLatencyMs as number | undefined) ?? D.DEFAULT_HOP_LATENCY_MS
  if (hopLatencyMs > 0 && hopLatencyMs < 1) {
    issues.push({
      path: p('cluster.network.hopLatencyMs'),
      message: `got ${hopLatencyMs}; expected 0 or at least 1 (Node timers have 1 ms granularity, so a smaller delay cannot be realised honestly; the hop itself is a real relay)`,
    })
  }

  const service_ = resolveService(service, p, issues)
  const nodeNames = nodes.map((n) => n.name)
  let via: string[]
  if (Array.isArray(load.via)) {
    via = load.via as string[]
    via.forEach((name, i) => {
      if (!nodeNames.includes(name)) {
        const hint = didYouMean(name, nodeNames)
        issues.push({ path: p(`load.via[${i}]`), message: `got ${showValue(name)}; no such node; expected one of ${nodeNames.map((n) => JSON.stringify(n)).join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
      }
    })
  } else if (load.via === 'one-node') {
    via = nodeNames.slice(0, 1)
  } else {
    via = nodeNames
  }

  const faults = resolveFaults(body.faults, nodes, seed, p, issues)
  const command = resolveCommand(pod, cluster.nodes, body.faults, scenarioFile, p, issues)
  const durationMs = durationField(load.duration, D.DEFAULT_DURATION_MS)
  const warmupMs = durationField(load.warmup, D.DEFAULT_WARMUP_MS)
  const requestTimeoutMs = durationField(load.requestTimeout, D.DEFAULT_REQUEST_TIMEOUT_MS)
  if (durationMs < 100) issues.push({ path: p('load.duration'), message: `got ${showValue(load.duration)}; expected at least 100ms` })
  if (requestTimeoutMs < 1000) issues.push({ path: p('load.requestTimeout'), message: `got ${showValue(load.requestTimeout)}; expected at least 1s (autocannon's timeout is in whole seconds or more)` })
  if (durationMs + warmupMs > D.MAX_RUN_MS) {
    issues.push({ path: p('load.duration'), message: `warm-up + duration is ${durationMs + warmupMs}ms; expected at most ${D.MAX_RUN_MS}ms (1h) so that every run stops by itself` })
  }

  return {
    name,
    cluster: {
      nodes,
      replicas,
      podPort: (pod.port as number | undefined) ?? D.DEFAULT_POD_PORT,
      pod: basePod,
      command,
      readinessProbe: {
        ...D.DEFAULT_READINESS_PROBE,
        ...(command === null ? {} : { path: command.readinessPath }),
        ...((pod.readinessProbe as Partial<ResolvedProbe> | undefined) ?? {}),
      },
      terminationGracePeriodSeconds: (pod.terminationGracePeriodSeconds as number | undefined) ?? D.DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
      preStopSleepSeconds: (pod.preStopSleepSeconds as number | undefined) ?? 0,
      endpointPropagationMs: (cluster.endpointPropagationMs as number | undefined) ?? D.DEFAULT_ENDPOINT_PROPAGATION_MS,
      nodeMonitorGracePeriodSeconds: (cluster.nodeMonitorGracePeriodSeconds as number | undefined) ?? D.DEFAULT_NODE_MONITOR_GRACE_PERIOD_SECONDS,
      spareSlots: 0,
      podProcesses: resolvePodProcesses(cluster.podProcesses, replicas, command, p, issues),
      network: { hopLatencyMs },
    },
    service: service_,
    load: {
      durationMs,
      warmupMs,
      connections: (load.connections as number | undefined) ?? D.DEFAULT_CONNECTIONS,
      clientIps: (load.clientIps as number | undefined) ?? D.DEFAULT_CLIENT_IPS,
      keepAlive: (load.keepAlive as boolean | undefined) ?? D.DEFAULT_KEEP_ALIVE,
      connectionLifetimeMs: durationField(load.connectionLifetime, 0),
      path: (load.path as string | undefined) ?? D.DEFAULT_PATH,
      via,
      requestTimeoutMs,
    },
    faults,
    thresholds: parseThresholds(body.thresholds as Record<string, unknown> | undefined, metricPathContext(nodes, faults.length), p('thresholds'), issues),
  }
}

/**
 * Free pod slots the faults need: every pod a rolling update creates is new (a new address, as
 * with a Deployment's new ReplicaSet), and a scale-up adds pods.
 */
function spareSlotsFor(v: ResolvedVariant): number {
  let running = v.cluster.replicas
  let need = 0
  for (const f of v.faults) {
    if (f.action === 'scale') {
      need += Math.max(0, f.replicas - running)
      running = f.replicas
    }
    if (f.action === 'rolling-update') need += running
  }
  return Math.min(need, MAX_PODS)
}

/**
 * Pods in numbering order: the walk goes over the nodes round-robin, skipping full ones, so with
 * 3 nodes pod-1 is on node-a, pod-2 on node-b, pod-3 on node-c, pod-4 on node-a again.
 * `indexOnNode` picks the pod's settings from its node's podSpecs.
 */
export function podPlacement(nodes: readonly ResolvedNode[]): { name: string; node: ResolvedNode; indexOnNode: number }[] {
  const out: { name: string; node: ResolvedNode; indexOnNode: number }[] = []
  const taken = nodes.map(() => 0)
  while (nodes.some((n, i) => (taken[i] as number) < n.pods)) {
    nodes.forEach((n, i) => {
      const k = taken[i] as number
      if (k < n.pods) {
        taken[i] = k + 1
        out.push({ name: `pod-${out.length + 1}`, node: n, indexOnNode: k })
      }
    })
  }
  return out
}

function resolveFaults(raw: unknown, nodes: ResolvedNode[], seed: number, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedFault[] {
  if (!Array.isArray(raw)) return []
  const pods = podPlacement(nodes).map((x) => ({ name: x.name, node: x.node.name }))
  const rng = createRng(deriveSeed(seed, 'faults'))
  const out: ResolvedFault[] = []
  raw.forEach((f: Obj, i) => {
    const at = parseDurationMs(f.at) ?? 0
    const action = f.action as string
    let target: string
    let names: string[]
    let node: string | null = null
    if (action === 'rolling-update' || action === 'scale') {
      target = String(f.target)
      names = []
      if (f.target !== 'all') issues.push({ path: p(`faults[${i}].target`), message: `got ${showValue(f.target)}; ${action} applies to the whole Deployment: expected "all"` })
      if (action === 'scale' && f.replicas === undefined) issues.push({ path: p(`faults[${i}].replicas`), message: 'required field is missing; "scale" needs replicas (the new count)' })
      if (action === 'rolling-update' && ((f.maxSurge as number | undefined) ?? 1) + ((f.maxUnavailable as number | undefined) ?? 0) === 0) {
        issues.push({ path: p(`faults[${i}].maxSurge`), message: 'maxSurge and maxUnavailable are both 0; expected at least one of them above 0 (as Kubernetes requires)' })
      }
    } else if (action === 'kill-node' || action === 'drain-node') {
      node = isPlainObject(f.target) ? String(f.target.node) : String(f.target)
      target = `node:${node}`
      names = pods.filter((x) => x.node === node).map((x) => x.name)
      if (!nodes.some((n) => n.name === node)) {
        const hint = didYouMean(node, nodes.map((n) => n.name))
        issues.push({ path: p(`faults[${i}].target`), message: `got ${showValue(node)}; no such node; expected one of ${nodes.map((n) => JSON.stringify(n.name)).join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
      }
    } else if (isPlainObject(f.target)) {
      const node = String(f.target.node)
      target = `node:${node}`
      names = pods.filter((x) => x.node === node).map((x) => x.name)
      if (!nodes.some((n) => n.name === node)) {
        issues.push({ path: p(`faults[${i}].target.node`), message: `got ${showValue(node)}; no such node; expected one of ${nodes.map((n) => JSON.stringify(n.name)).join(', ')}` })
      } else if (names.length === 0) {
        issues.push({ path: p(`faults[${i}].target.node`), message: `got ${showValue(node)}; that node runs no pod` })
      }
    } else if (f.target === 'random') {
      target = 'random'
      const pick = pods[Math.floor(rng() * pods.length)]
      names = pick === undefined ? [] : [pick.name]
    } else {
      target = String(f.target)
      names = [target]
      if (!pods.some((x) => x.name === target)) {
        const hint = didYouMean(target, pods.map((x) => x.name))
        issues.push({ path: p(`faults[${i}].target`), message: `got ${showValue(target)}; no such pod; expected one of ${pods.map((x) => JSON.stringify(x.name)).join(', ')}, "random" or { node }${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
      }
    }
    if (f.latencyMs !== undefined && action !== 'slow-pod') issues.push({ path: p(`faults[${i}].latencyMs`), message: `only applies to "slow-pod" (got action ${showValue(action)})` })
    if (f.errorRate !== undefined && action !== 'fail-pod') issues.push({ path: p(`faults[${i}].errorRate`), message: `only applies to "fail-pod" (got action ${showValue(action)})` })
    if (action === 'slow-pod' && f.latencyMs === undefined) issues.push({ path: p(`faults[${i}].latencyMs`), message: 'required field is missing; "slow-pod" needs latencyMs (the added latency)' })
    out.push({
      atMs: at,
      action: action as ResolvedFault['action'],
      target,
      pods: names,
      node,
      latencyMs: (f.latencyMs as number | undefined) ?? 0,
      errorRate: (f.errorRate as number | undefined) ?? 1,
      replicas: (f.replicas as number | undefined) ?? 0,
      maxSurge: (f.maxSurge as number | undefined) ?? 1,
      maxUnavailable: (f.maxUnavailable as number | undefined) ?? 0,
    })
  })
  return out.sort((a, b) => a.atMs - b.atMs)
}

/** service.* with the kube-proxy configuration worked out from alias, mode and scheduler. */
function resolveService(service: Obj, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedVariant['service'] {
  const alias = service.balancer as BalancerName | undefined
  let mode = service.proxyMode as ProxyMode | undefined
  let scheduler = service.ipvsScheduler as IpvsScheduler | undefined
  if (alias !== undefined) {
    const a = BALANCER_ALIASES[alias]
    if (mode !== undefined && mode !== a.proxyMode) {
      issues.push({ path: p('service.proxyMode'), message: `got ${showValue(mode)}; balancer "${alias}" means proxyMode "${a.proxyMode}"; drop one of the two` })
    }
    if (scheduler !== undefined && scheduler !== a.ipvsScheduler) {
      issues.push({ path: p('service.ipvsScheduler'), message: `got ${showValue(scheduler)}; balancer "${alias}" means ${a.ipvsScheduler === undefined ? 'no IPVS scheduler' : `ipvsScheduler "${a.ipvsScheduler}"`}; drop one of the two` })
    }
    mode = a.proxyMode
    scheduler = a.ipvsScheduler
  }
  if (mode === undefined) mode = scheduler !== undefined ? 'ipvs' : D.DEFAULT_PROXY_MODE
  if (mode !== 'ipvs' && scheduler !== undefined && alias === undefined) {
    issues.push({ path: p('service.ipvsScheduler'), message: `got ${showValue(scheduler)}; an IPVS scheduler needs proxyMode "ipvs" (got "${mode}")` })
  }
  const sched: IpvsScheduler | null = mode === 'ipvs' ? (scheduler ?? 'rr') : null
  const flags = (service.ipvsFlags as IpvsFlag[] | undefined) ?? []
  flags.forEach((f, i) => {
    const needs = f.startsWith('sh-') ? 'sh' : 'mh'
    if (sched !== needs) {
      issues.push({ path: p(`service.ipvsFlags[${i}]`), message: `got ${showValue(f)}; this flag needs ipvsScheduler "${needs}" (got ${sched === null ? `proxyMode "${mode}"` : `"${sched}"`})` })
    }
  })
  const affinity = (service.sessionAffinity as 'None' | 'ClientIP' | undefined) ?? 'None'
  // A timeout with affinity None is kept but unused: a variant (or a scenario over manifests)
  // may switch affinity off without having to remove the timeout.
  const type = (service.type as 'NodePort' | 'LoadBalancer' | undefined) ?? 'NodePort'
  const nodePort = (service.nodePort as number | undefined) ?? D.DEFAULT_NODE_PORT
  const healthCheckNodePort = (service.healthCheckNodePort as number | undefined) ?? D.DEFAULT_HEALTH_CHECK_NODE_PORT
  if (type === 'NodePort') {
    for (const f of ['port', 'healthCheckNodePort', 'loadBalancer']) {
      if (service[f] !== undefined) issues.push({ path: p(`service.${f}`), message: `only applies to type "LoadBalancer" (got type "NodePort")` })
    }
  } else if (healthCheckNodePort === nodePort) {
    issues.push({ path: p('service.healthCheckNodePort'), message: `got ${healthCheckNodePort}; expected a port other than service.nodePort` })
  }
  let loadBalancer: LbSettings | null = null
  if (type === 'LoadBalancer') {
    const lb = (service.loadBalancer ?? {}) as Obj
    const preset = (lb.preset as LbPresetName | undefined) ?? D.DEFAULT_LB_PRESET
    const base = LB_PRESETS[preset]
    const hc = { ...base.healthCheck, ...((lb.healthCheck as Partial<LbSettings['healthCheck']> | undefined) ?? {}) }
    const leaderFailoverSeconds = (lb.leaderFailoverSeconds as number | undefined) ?? base.leaderFailoverSeconds
    const algorithm = (lb.algorithm as LbSettings['algorithm'] | undefined) ?? base.algorithm
    if (algorithm === 'leader' && (lb.healthCheck as Obj | undefined)?.unhealthyThreshold === undefined) {
      // MetalLB moves the address after leaderFailoverSeconds: probe each second until then.
      hc.intervalSeconds = 1
      hc.unhealthyThreshold = Math.max(1, Math.ceil(leaderFailoverSeconds))
    }
    if (hc.timeoutSeconds > hc.intervalSeconds && (lb.healthCheck as Obj | undefined)?.timeoutSeconds !== undefined) {
      issues.push({ path: p('service.loadBalancer.healthCheck.timeoutSeconds'), message: `got ${hc.timeoutSeconds}; expected at most intervalSeconds (${hc.intervalSeconds})` })
    }
    loadBalancer = {
      preset,
      algorithm,
      healthCheck: hc,
      allUnhealthy: (lb.allUnhealthy as LbSettings['allUnhealthy'] | undefined) ?? base.allUnhealthy,
      preserveClientIp: (lb.preserveClientIp as boolean | undefined) ?? base.preserveClientIp,
      leaderFailoverSeconds,
      tls: (lb.tls as boolean | undefined) ?? false,
    }
  }
  return {
    type,
    nodePort,
    port: (service.port as number | undefined) ?? D.DEFAULT_LB_PORT,
    healthCheckNodePort,
    loadBalancer,
    proxyMode: mode,
    ipvsScheduler: sched,
    ipvsFlags: [...new Set(flags)],
    algorithm: algorithmFor(mode, sched ?? undefined),
    balancer: alias ?? null,
    balancing: (service.balancing as 'connection' | 'request' | undefined) ?? D.DEFAULT_BALANCING,
    sessionAffinity: affinity,
    sessionAffinityTimeoutSeconds: (service.sessionAffinityTimeoutSeconds as number | undefined) ?? D.DEFAULT_SESSION_AFFINITY_TIMEOUT_SECONDS,
    externalTrafficPolicy: (service.externalTrafficPolicy as 'Cluster' | 'Local' | undefined) ?? 'Cluster',
    internalTrafficPolicy: (service.internalTrafficPolicy as 'Cluster' | 'Local' | undefined) ?? 'Cluster',
  }
}

/** True when `path` (dotted, from a zod issue) lies inside the override object. */
/** `a.b["c.d"][2]` → ['a', 'b', 'c.d', '2']. */
function pathKeys(path: string): string[] {
  return [...path.matchAll(/\["([^"]*)"\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] ?? m[2] ?? m[3]) as string)
}

function touches(override: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = override
  for (const key of path) {
    if (Array.isArray(cur)) return true // the override replaced the whole list
    if (!isPlainObject(cur) || !(String(key) in cur)) return false
    cur = cur[String(key)]
  }
  return true
}

interface RawIssue {
  code: string
  path: PropertyKey[]
  message: string
  keys?: string[]
  input?: unknown
}

/** The part of a merged-variant schema issue that the override itself caused, if any. */
function ownIssue(override: unknown, i: RawIssue): RawIssue[] {
  if (!touches(override, i.path)) return []
  if (i.code !== 'unrecognized_keys') return [i]
  let cur: unknown = override
  for (const k of i.path) cur = isPlainObject(cur) ? cur[String(k)] : undefined
  const keys = (i.keys ?? []).filter((k) => isPlainObject(cur) && k in cur)
  return keys.length === 0 ? [] : [{ ...i, keys }]
}

function warningsFor(v: ResolvedVariant, multi: boolean): string[] {
  const out: string[] = []
  const tag = multi ? `variant "${v.name}": ` : ''
  if (v.load.clientIps > v.load.connections) {
    out.push(`${tag}load.clientIps is ${v.load.clientIps} but only ${v.load.connections} connections run, so only ${v.load.connections} client addresses are used; raise load.connections to use them all`)
  }
  const hashing = CLIENT_HASHING.has(v.service.algorithm) || v.service.sessionAffinity === 'ClientIP'
  if (hashing && Math.min(v.load.clientIps, v.load.connections) === 1) {
    out.push(`${tag}${v.service.sessionAffinity === 'ClientIP' ? 'ClientIP session affinity' : v.service.algorithm} with a single client address sends every connection to one pod (all clients behind one NAT); this is a legitimate experiment, not an error`)
  }
  if (v.service.internalTrafficPolicy === 'Local') {
    out.push(`${tag}internalTrafficPolicy applies to in-cluster traffic; svcbench's clients are external (NodePort), so it has no effect here`)
  }
  if (v.service.externalTrafficPolicy === 'Local') {
    const empty = v.cluster.nodes.filter((n) => v.load.via.includes(n.name) && n.podSpecs.every((ps) => ps.weight === 0))
    if (empty.length > 0) {
      out.push(`${tag}externalTrafficPolicy Local: ${empty.map((n) => n.name).join(', ')} receive${empty.length === 1 ? 's' : ''} clients but run${empty.length === 1 ? 's' : ''} no pod, so those connections are dropped (clients time out)`)
    }
  }
  return out
}

/**
 * Validate and resolve a scenario's default export. Throws one ScenarioError listing every
 * issue (schema, semantics, variants, overrides) before anything starts.
 */
export function resolveScenario(rawInput: unknown, opts: ResolveOptions = {}): ResolvedRun {
  // Manifests (a file read) become plain scenario fields first; their errors stand alone.
  const expanded = expandManifests(rawInput, { scenarioFile: opts.file, manifestPath: opts.manifests })
  const input = expanded.scenario
  const issues: ScenarioIssue[] = []
  const parsed = scenarioSchema.safeParse(input, { reportInput: true })
  if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues as never))
  if (!isPlainObject(input)) throw new ScenarioError(issues, { file: opts.file })

  const raw = input as Obj & Partial<UserScenario>
  const { name, description, seed, variants: rawVariants, ...body } = raw
  const runSeed = opts.overrides?.seed ?? (typeof seed === 'number' ? seed : D.DEFAULT_SEED)
  const entries: [string, unknown][] = isPlainObject(rawVariants) ? Object.entries(rawVariants) : []
  if (isPlainObject(rawVariants) && entries.length === 0) {
    issues.push({ path: 'variants', message: 'got {}; expected at least one variant, or leave variants out' })
  }

  // Semantic checks run even when the schema failed, so that one pass reports everything;
  // a semantic issue under a path the schema already reported is noise and is dropped.
  const schemaPaths = issues.map((i) => i.path)
  const underSchemaIssue = (path: string) =>
    schemaPaths.some((sp) => path === sp || path.startsWith(`${sp}.`) || path.startsWith(`${sp}[`))
  const semantic = (vname: string, b: Obj, keep: (i: ScenarioIssue) => ScenarioIssue | undefined) => {
    const local: ScenarioIssue[] = []
    let v: ResolvedVariant | undefined
    try {
      v = resolveBody(vname, b, '', local, runSeed, opts.file)
    } catch {
      v = undefined // malformed input the schema has already reported
    }
    for (const i of local) {
      const k = keep(i)
      if (k !== undefined && !underSchemaIssue(k.path)) issues.push(k)
    }
    return v
  }

  const variants: ResolvedVariant[] = []
  if (entries.length === 0) {
    const v = semantic(D.DEFAULT_VARIANT_NAME, body, (i) => i)
    if (v !== undefined) variants.push(v)
  } else {
    // The base body is checked once; each variant then reports only what its override caused.
    semantic(D.DEFAULT_VARIANT_NAME, body, (i) => i)
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
      const v = semantic(vname, merged, (i) =>
        touches(override, pathKeys(i.path))
          ? { path: `${vpath}.${i.path}`, message: i.message }
          : undefined,
      )
      if (v !== undefined) variants.push(v)
    }
  }

  const o = opts.overrides ?? {}
  if (o.variant !== undefined) {
    const names = variants.map((v) => v.name)
    const keep = variants.filter((v) => v.name === o.variant)
    if (keep.length === 0) {
      issues.push({ path: '--variant', message: `got ${showValue(o.variant)}; expected one of ${names.map((n) => JSON.stringify(n)).join(', ')}` })
    } else {
      variants.splice(0, variants.length, ...keep)
    }
  }
  for (const v of variants) {
    if (o.durationMs !== undefined) v.load.durationMs = o.durationMs
    if (o.warmupMs !== undefined) v.load.warmupMs = o.warmupMs
    if (o.connections !== undefined) v.load.connections = o.connections
    if (o.clientIps !== undefined) v.load.clientIps = o.clientIps
    v.cluster.spareSlots = spareSlotsFor(v)
    for (const f of v.faults) {
      if (f.atMs >= v.load.durationMs) {
        issues.push({
          path: `${variants.length > 1 ? `variants.${v.name}: ` : ''}faults (${f.action} ${f.target})`,
          message: `at ${f.atMs}ms is not inside the measured phase; expected a time before load.duration (${v.load.durationMs}ms)`,
        })
      }
    }
  }

  if (issues.length > 0) throw new ScenarioError(dedupe(issues), { file: opts.file })

  const multi = variants.length > 1
  return {
    name: name as string,
    description: (description as string | undefined) ?? '',
    seed: o.seed ?? (seed as number | undefined) ?? D.DEFAULT_SEED,
    file: opts.file,
    variants,
    warnings: [...expanded.warnings, ...variants.flatMap((v) => warningsFor(v, multi))],
    manifests: expanded.manifests,
  }
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

