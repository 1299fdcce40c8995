/**
 * Kubernetes manifests → scenario fields. Reads a file or a folder of them (manifests/input.ts),
 * picks the Service and its port (manifests/select.ts), finds the pods behind it
 * (manifests/backends.ts), and returns the `cluster` and `service` fields of an equivalent
 * scenario (manifests/pod.ts, manifests/service.ts). What each kind's fields map to is one table
 * (manifests/fields.ts).
 *
 * Every field svcbench does not model is reported as a warning (never silently ignored); objects
 * it skips are grouped by kind. Bad input is a ScenarioError (exit 2) carrying the warnings found
 * before it, and every refusal names its fix.
 */
import path from 'node:path'
import { ScenarioError } from '../errors.ts'
import { deepMerge, isPlainObject } from '../util/merge.ts'
import type { LbPresetName } from '../model/load-balancer.ts'
import { LOAD_ORIGINS, SERVICE_TYPES, type LoadOrigin, type ServiceType } from '../model/scenario.ts'
import * as D from './defaults.ts'
import { readInput } from './manifests/input.ts'
import { READ_KINDS, listCapped, unmodelledFields } from './manifests/fields.ts'
import { READ_ANNOTATION_PATHS } from './manifests/lb.ts'
import { type ManifestContext, get, idOf, ofKind, whereOf } from './manifests/context.ts'
import { pickPort, pickService, runAs, typeOf } from './manifests/select.ts'
import { findBackends, nodeName } from './manifests/backends.ts'
import { podFields } from './manifests/pod.ts'
import { serviceFields } from './manifests/service.ts'

type Obj = Record<string, unknown>

/** The load balancer preset a manifests file implies, and what in it said so. */
export interface ManifestPreset {
  preset: LbPresetName
  /** e.g. `annotation service.beta.kubernetes.io/aws-load-balancer-type: external`. */
  source: string
}

/** What a manifests input turned into. */
export interface ManifestScenario {
  /** Service name (used as the scenario name when there is no scenario file). */
  name: string
  /** Scenario fields: `cluster` and `service`. */
  fields: Obj
  /** Fields svcbench does not model, and other remarks. */
  warnings: string[]
  /** What svcbench chose where the input left a choice (the Service, its port, replicas under an HPA). */
  notes: string[]
  /** The preset the file implies for a LoadBalancer; undefined when it implies none. */
  preset: ManifestPreset | undefined
}

/** Options for {@link readManifests}. */
export interface ReadManifestsOptions {
  /** The input as shown in messages. @default the path as given (relative to the working directory when absolute) */
  shown?: string
  /** The Service to run (--service). */
  service?: string
  /** Its port, by name or number (--port). */
  port?: string | number
  /** The scenario's service.type: wins over the file's (a ClusterIP Service run exposed, or a NodePort one as ClusterIP). */
  type?: ServiceType
  /** The scenario's node count, for DaemonSets when the file has no Node objects. @default DEFAULT_NODES */
  nodes?: number
  /** The scenario's load.from: with in-cluster clients a NodePort Service's own port is read too. */
  loadFrom?: LoadOrigin
}

/** One line per skipped kind, with a count and the objects' names. */
function skippedKinds(ctx: ManifestContext): void {
  const byKind = new Map<string, Obj[]>()
  for (const o of ctx.objects) {
    const k = String(o.kind)
    if (READ_KINDS[k] === undefined) byKind.set(k, [...(byKind.get(k) ?? []), o])
  }
  for (const [kind, os] of byKind) {
    if (os.length === 1) ctx.warnings.push(`${whereOf(ctx, os[0] as Obj)}: kind ${kind} is not modeled by svcbench, ignored`)
    else ctx.warnings.push(`${ctx.shown}: ${os.length} × kind ${kind} (${listCapped(os.map((o) => String(get(o, 'metadata.name'))))}): kind ${kind} is not modeled by svcbench, ignored`)
  }
}

/** Parse a manifests file or folder into scenario fields. Throws ScenarioError (exit 2) on bad input. */
export function readManifests(file: string, opts: ReadManifestsOptions = {}): ManifestScenario {
  const shown = opts.shown ?? (path.isAbsolute(file) ? path.relative(process.cwd(), file) || file : file)
  const input = readInput(file, shown)
  const nodeObjects = input.objects.filter((o) => o.kind === 'Node')
  const ctx: ManifestContext = { ...input, shown, warnings: [], notes: [], nodeCount: nodeObjects.length || (opts.nodes ?? D.DEFAULT_NODES), loadFrom: opts.loadFrom }
  skippedKinds(ctx)
  const svc = pickService(ctx, opts.service)
  const others = ofKind(ctx, 'Service').filter((s) => s !== svc)
  if (others.length > 0) ctx.notes.push(`${shown}: ${others.length} other Service${others.length === 1 ? '' : 's'} not run: ${listCapped(others.map((s) => `${String(get(s, 'metadata.name'))} (${typeOf(s)})`))}`)
  const type = runAs(ctx, svc, opts.type)
  const port = pickPort(ctx, svc, opts.port)
  const backends = findBackends(ctx, svc, port.port)
  const pod = podFields(ctx, svc, port, backends)
  const proxyConfigs = ofKind(ctx, 'KubeProxyConfiguration')
  const { service, preset } = serviceFields(ctx, svc, type, port.port, proxyConfigs)
  const warnUnknown = (o: Obj, extra: readonly string[] = []) => {
    const fields = unmodelledFields(o, extra)
    if (fields.length > 0) ctx.warnings.push(`${whereOf(ctx, o)}: not modeled by svcbench, ignored: ${listCapped(fields)}`)
  }
  warnUnknown(svc, READ_ANNOTATION_PATHS)
  for (const o of [...backends.matched, ...backends.read, ...proxyConfigs, ...nodeObjects]) warnUnknown(o)

  const cluster: Obj = { replicas: backends.replicas }
  const names = nodeObjects.map((n) => nodeName(String(get(n, 'metadata.name'))))
  const renamed = nodeObjects.filter((n, i) => get(n, 'metadata.name') !== names[i])
  if (renamed.length > 0) ctx.notes.push(`${shown}: node names as svcbench writes them ([a-z0-9-]+): ${renamed.map((n) => `${idOf(n)} → ${nodeName(String(get(n, 'metadata.name')))}`).join(', ')}`)
  if (backends.placement !== undefined) {
    // Endpoints name their nodes; Node objects without endpoints are nodes with no pod.
    cluster.nodes = [...backends.placement, ...names.filter((n) => !backends.placement!.some((p) => p.name === n)).map((n) => ({ name: n, pods: 0 }))]
  } else if (names.length > 0) {
    // Node objects name the nodes; the pods are spread over them round-robin.
    const r = backends.replicas
    cluster.nodes = names.map((n, i) => ({ name: n, pods: Math.floor(r / names.length) + (i < r % names.length ? 1 : 0) }))
  }
  if (Object.keys(pod).length > 0) cluster.pod = pod
  const filePreset = preset?.preset === undefined ? undefined : { preset: preset.preset, source: preset.source }
  return { name: String(get(svc, 'metadata.name') ?? 'manifests'), fields: { cluster, service }, warnings: ctx.warnings, notes: ctx.notes, preset: filePreset }
}

/** Options for {@link expandManifests}. */
export interface ExpandManifestsOptions {
  /** The scenario file: `cluster.manifests` is relative to it. */
  scenarioFile?: string
  /** The CLI's --manifests: replaces the scenario's own, shown as given. */
  manifestPath?: string
  /** The CLI's --service: wins over `cluster.manifests.service`. */
  service?: string
  /** The CLI's --port: wins over `cluster.manifests.port`. */
  port?: string
}

/** What {@link expandManifests} returns. */
export interface ExpandedManifests {
  scenario: unknown
  warnings: string[]
  notes: string[]
  /** The manifests path read (resolved against the scenario file); undefined without manifests. */
  manifests: string | undefined
  preset: ManifestPreset | undefined
}

/**
 * Expand `cluster.manifests` in a scenario's default export: the manifests give the base
 * `cluster` and `service`, and what the scenario says itself wins (its `service.type` included).
 * `manifestPath` (the CLI's --manifests) replaces the scenario's own. Paths in a scenario are
 * relative to its file.
 */
export function expandManifests(raw: unknown, opts: ExpandManifestsOptions): ExpandedManifests {
  const scenario = isPlainObject(raw) ? { ...raw } : raw
  const none: ExpandedManifests = { scenario, warnings: [], notes: [], manifests: undefined, preset: undefined }
  if (!isPlainObject(scenario)) return none
  const cluster = isPlainObject(scenario.cluster) ? { ...scenario.cluster } : undefined
  const declared = cluster?.manifests
  const spec = isPlainObject(declared) ? declared : typeof declared === 'string' ? { file: declared } : {}
  let file: string | undefined
  let shown: string | undefined
  if (opts.manifestPath !== undefined) file = shown = opts.manifestPath
  else if (typeof spec.file === 'string') {
    shown = spec.file
    file = opts.scenarioFile === undefined ? spec.file : path.resolve(path.dirname(opts.scenarioFile), spec.file)
  }
  if (file === undefined) {
    const flag = opts.service !== undefined ? '--service' : opts.port !== undefined ? '--port' : undefined
    if (flag !== undefined) throw new ScenarioError([{ path: flag, message: 'picks from Kubernetes manifests; expected --manifests <file> (or cluster.manifests in the scenario) with it' }])
    return none
  }
  if (cluster !== undefined) {
    delete cluster.manifests
    scenario.cluster = cluster
  }
  const svc = isPlainObject(scenario.service) ? scenario.service : {}
  const type = SERVICE_TYPES.find((t) => t === svc.type)
  const nodes = Array.isArray(cluster?.nodes) ? cluster.nodes.length : typeof cluster?.nodes === 'number' ? cluster.nodes : undefined
  const load = isPlainObject(scenario.load) ? scenario.load : {}
  const loadFrom = LOAD_ORIGINS.find((o) => o === load.from)
  const m = readManifests(file, { shown, service: opts.service ?? (spec.service as string | undefined), port: opts.port ?? (spec.port as string | number | undefined), type, nodes, loadFrom })
  const merged = deepMerge(m.fields, { cluster: scenario.cluster, service: scenario.service }) as Obj
  // Explicit node placement in the scenario replaces the manifests' replica count.
  if (isPlainObject(scenario.cluster) && Array.isArray(scenario.cluster.nodes) && isPlainObject(merged.cluster)) {
    delete merged.cluster.replicas
  }
  const out: Obj = { ...scenario, cluster: merged.cluster, service: merged.service }
  if (out.name === undefined) out.name = nameFrom(m.name)
  return { scenario: out, warnings: m.warnings, notes: m.notes, manifests: file, preset: m.preset }
}

/** A Service name as a scenario name (`[a-z0-9-]+`; Service names are DNS labels already, almost always). */
function nameFrom(service: string): string {
  return service.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '') || 'manifests'
}
