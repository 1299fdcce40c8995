/**
 * Kubernetes manifests → scenario fields. Reads a multi-document YAML file with a Service, the
 * Deployment(s)/StatefulSet(s) its selector matches, and optionally a KubeProxyConfiguration and
 * Node objects, and returns the `cluster` and `service` fields of an equivalent scenario.
 *
 * Every field svcbench does not model is reported as a warning (never silently ignored).
 * Malformed YAML, a missing or unsupported Service, or a selector that matches no workload is a
 * ScenarioError (exit 2).
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseAllDocuments } from 'yaml'
import { ScenarioError, type ScenarioIssue } from '../errors.ts'
import { deepMerge, isPlainObject } from '../util/merge.ts'


type Obj = Record<string, unknown>

const isObj = isPlainObject

/** What a manifest file turned into. */
export interface ManifestScenario {
  /** Service name (used as the scenario name when there is no scenario file). */
  name: string
  /** Scenario fields: `cluster` and `service`. */
  fields: Obj
  /** Fields svcbench does not model, and other remarks. */
  warnings: string[]
}

/**
 * Paths (dotted, `[]` for any index, `*` for any key) each kind's fields svcbench reads or
 * deliberately passes over (identity: labels, annotations, namespace).
 */
const KNOWN: Record<string, string[]> = {
  Service: [
    'spec.type',
    'spec.selector.*',
    'spec.ports[].name',
    'spec.ports[].port',
    'spec.ports[].targetPort',
    'spec.ports[].nodePort',
    'spec.ports[].protocol',
    'spec.sessionAffinity',
    'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
    'spec.externalTrafficPolicy',
    'spec.internalTrafficPolicy',
    'spec.healthCheckNodePort',
  ],
  Workload: [
    'spec.replicas',
    'spec.selector.matchLabels.*',
    'spec.serviceName',
    'spec.template.metadata.labels.*',
    'spec.template.metadata.annotations.*',
    'spec.template.spec.terminationGracePeriodSeconds',
    'spec.template.spec.containers[].name',
    'spec.template.spec.containers[].ports[].containerPort',
    'spec.template.spec.containers[].ports[].name',
    'spec.template.spec.containers[].ports[].protocol',
    'spec.template.spec.containers[].readinessProbe.httpGet.path',
    'spec.template.spec.containers[].readinessProbe.httpGet.port',
    'spec.template.spec.containers[].readinessProbe.periodSeconds',
    'spec.template.spec.containers[].readinessProbe.timeoutSeconds',
    'spec.template.spec.containers[].readinessProbe.failureThreshold',
    'spec.template.spec.containers[].readinessProbe.successThreshold',
    'spec.template.spec.containers[].readinessProbe.initialDelaySeconds',
  ],
  KubeProxyConfiguration: ['mode', 'ipvs.scheduler', 'ipvs.tcpTimeout', 'ipvs.tcpFinTimeout', 'ipvs.udpTimeout'],
  Node: [],
}
const ALWAYS = ['apiVersion', 'kind', 'metadata.name', 'metadata.namespace', 'metadata.labels.*', 'metadata.annotations.*']

/** Leaf paths of a value, with array indices written `[i]`. */
function leaves(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.length === 0 ? [prefix] : v.flatMap((x, i) => leaves(x, `${prefix}[${i}]`))
  if (isObj(v)) {
    const keys = Object.keys(v)
    return keys.length === 0 ? [prefix] : keys.flatMap((k) => leaves(v[k], prefix === '' ? k : `${prefix}.${k}`))
  }
  return [prefix]
}

function known(kind: string, leaf: string): boolean {
  const generic = leaf.replace(/\[\d+\]/g, '[]')
  return [...ALWAYS, ...(KNOWN[kind] ?? [])].some((k) => {
    if (k.endsWith('.*')) return generic.startsWith(k.slice(0, -1))
    return generic === k
  })
}

function get(o: unknown, p: string): unknown {
  let cur = o
  for (const k of p.split('.')) cur = isObj(cur) ? cur[k] : undefined
  return cur
}

function labelsMatch(selector: Obj, labels: unknown): boolean {
  return isObj(labels) && Object.entries(selector).every(([k, v]) => labels[k] === v)
}

const fmtLabels = (o: Obj) => Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(',')

/** The objects of a manifests file that make the scenario, picked by kind and selector. */
interface Selection {
  /** The file as shown in messages (relative to the working directory). */
  shown: string
  /** `Kind/name` of an object, for messages. */
  id: (o: Obj) => string
  svc: Obj
  /** `<file>: Service/<name>`, the prefix of the Service's issue paths. */
  sid: string
  type: string
  /** The Service's first port (the one benchmarked). */
  port0: Obj | undefined
  /** The Deployments and StatefulSets the Service selects. */
  matched: Obj[]
  proxyConfigs: Obj[]
  nodes: Obj[]
}

/** Parse a manifests file into scenario fields. Throws ScenarioError (exit 2) on bad input. */
export function readManifests(file: string): ManifestScenario {
  const shown = path.isAbsolute(file) ? path.relative(process.cwd(), file) || file : file
  const objects = parseDocuments(file, shown)
  const warnings: string[] = []
  const sel = selectObjects(objects, shown, warnings)
  const warnUnknown = (o: Obj, kind: string) => {
    const extra = leaves(o).filter((l) => !known(kind, l))
    if (extra.length > 0) warnings.push(`${shown}: ${sel.id(o)}: not modeled by svcbench, ignored: ${extra.join(', ')}`)
  }
  warnUnknown(sel.svc, 'Service')
  for (const w of sel.matched) warnUnknown(w, 'Workload')
  for (const k of sel.proxyConfigs) warnUnknown(k, 'KubeProxyConfiguration')
  for (const n of sel.nodes) warnUnknown(n, 'Node')

  const { replicas, pod } = podFields(sel, warnings)
  const service = serviceFields(sel, warnings)
  const cluster: Obj = { replicas }
  if (sel.nodes.length > 0) {
    // Node objects name the nodes; the pods are spread over them round-robin.
    const names = sel.nodes.map((n) => String(get(n, 'metadata.name')))
    cluster.nodes = names.map((n, i) => ({ name: n, pods: Math.floor(replicas / names.length) + (i < replicas % names.length ? 1 : 0) }))
  }
  if (Object.keys(pod).length > 0) cluster.pod = pod
  return { name: String(get(sel.svc, 'metadata.name') ?? 'manifests'), fields: { cluster, service }, warnings }
}

/** The file's Kubernetes objects, in order; a missing file or malformed YAML throws. */
function parseDocuments(file: string, shown: string): Obj[] {
  if (!fs.existsSync(file)) {
    throw new ScenarioError([{ path: 'manifests', message: `file ${JSON.stringify(shown)} not found; expected a Kubernetes YAML file` }])
  }
  const text = fs.readFileSync(file, 'utf8')
  const docs = parseAllDocuments(text)
  const issues: ScenarioIssue[] = []
  const objects: Obj[] = []
  ;(Array.isArray(docs) ? docs : [docs]).forEach((d, index) => {
    if (d.errors.length > 0) {
      for (const e of d.errors) issues.push({ path: `${shown}: document ${index + 1}`, message: `malformed YAML: ${e.message.split('\n')[0]}` })
      return
    }
    const js: unknown = d.toJS()
    if (js === null || js === undefined) return
    if (!isObj(js) || typeof js.kind !== 'string') {
      issues.push({ path: `${shown}: document ${index + 1}`, message: 'expected a Kubernetes object with apiVersion and kind' })
      return
    }
    objects.push(js)
  })
  if (issues.length > 0) throw new ScenarioError(issues)
  return objects
}

/** Objects by kind: exactly one Service (NodePort or LoadBalancer, TCP) and the workloads it selects. */
function selectObjects(objects: Obj[], shown: string, warnings: string[]): Selection {
  const issues: ScenarioIssue[] = []
  const id = (o: Obj) => `${String(o.kind)}/${String(get(o, 'metadata.name') ?? `(document ${objects.indexOf(o) + 1})`)}`
  const ofKind = (...kinds: string[]) => objects.filter((o) => kinds.includes(String(o.kind)))
  const services = ofKind('Service')
  const workloads = ofKind('Deployment', 'StatefulSet')
  for (const o of objects) {
    if (!['Service', 'Deployment', 'StatefulSet', 'KubeProxyConfiguration', 'Node'].includes(String(o.kind))) {
      warnings.push(`${shown}: ${id(o)}: kind ${String(o.kind)} is not modeled by svcbench, ignored`)
    }
  }

  if (services.length !== 1) {
    throw new ScenarioError([
      {
        path: `${shown}`,
        message:
          services.length === 0
            ? 'no Service; expected exactly one Service (type NodePort or LoadBalancer)'
            : `${services.length} Services (${services.map((s) => id(s)).join(', ')}); expected exactly one`,
      },
    ])
  }
  const svc = services[0] as Obj
  const sid = `${shown}: ${id(svc)}`
  const type = (get(svc, 'spec.type') as string | undefined) ?? 'ClusterIP'
  if (type !== 'NodePort' && type !== 'LoadBalancer') {
    issues.push({ path: `${sid}: spec.type`, message: `got ${JSON.stringify(type)}; expected "NodePort" or "LoadBalancer" (svcbench sends traffic to NodePorts)` })
  }
  const ports = get(svc, 'spec.ports')
  const port0 = Array.isArray(ports) && isObj(ports[0]) ? (ports[0] as Obj) : undefined
  if (port0 === undefined) issues.push({ path: `${sid}: spec.ports`, message: 'missing; expected at least one port' })
  if (Array.isArray(ports) && ports.length > 1) warnings.push(`${sid}: spec.ports: ${ports.length} ports; only the first (${String(port0?.name ?? port0?.port)}) is benchmarked`)
  if (port0 !== undefined && port0.protocol !== undefined && port0.protocol !== 'TCP') {
    issues.push({ path: `${sid}: spec.ports[0].protocol`, message: `got ${JSON.stringify(port0.protocol)}; expected "TCP"` })
  }
  const selector = get(svc, 'spec.selector')
  if (!isObj(selector) || Object.keys(selector).length === 0) {
    issues.push({ path: `${sid}: spec.selector`, message: 'missing or empty; expected labels that select a Deployment or StatefulSet' })
  }
  const matched = isObj(selector) ? workloads.filter((w) => labelsMatch(selector, get(w, 'spec.template.metadata.labels'))) : []
  if (isObj(selector) && Object.keys(selector).length > 0 && matched.length === 0) {
    issues.push({
      path: `${sid}: spec.selector`,
      message: `selects ${fmtLabels(selector)} but no Deployment or StatefulSet has those pod template labels${workloads.length === 0 ? ' (the file has none)' : ` (found: ${workloads.map((w) => `${id(w)} with ${fmtLabels((get(w, 'spec.template.metadata.labels') as Obj | undefined) ?? {})}`).join('; ')})`}`,
    })
  }
  for (const w of workloads) if (!matched.includes(w)) warnings.push(`${shown}: ${id(w)}: not selected by ${id(svc)}, ignored`)
  if (issues.length > 0) throw new ScenarioError(issues)
  return { shown, id, svc, sid, type, port0, matched, proxyConfigs: ofKind('KubeProxyConfiguration'), nodes: ofKind('Node') }
}

/** cluster.replicas and cluster.pod: replicas of every selected workload; settings from the first one's first container. */
function podFields(sel: Selection, warnings: string[]): { replicas: number; pod: Obj } {
  const { shown, id, sid, matched, port0 } = sel
  const issues: ScenarioIssue[] = []
  let replicas = 0
  for (const w of matched) {
    const r = get(w, 'spec.replicas')
    if (r !== undefined && (typeof r !== 'number' || !Number.isInteger(r) || r < 0)) {
      issues.push({ path: `${shown}: ${id(w)}: spec.replicas`, message: `got ${JSON.stringify(r)}; expected a non-negative integer` })
    }
    replicas += typeof r === 'number' ? r : 1
  }
  if (matched.length > 1) warnings.push(`${sid}: selects ${matched.length} workloads (${matched.map(id).join(', ')}); their replicas are added, pod settings come from ${id(matched[0] as Obj)}`)
  const w0 = matched[0] as Obj
  const containers = get(w0, 'spec.template.spec.containers')
  const c0 = Array.isArray(containers) && isObj(containers[0]) ? (containers[0] as Obj) : {}
  if (Array.isArray(containers) && containers.length > 1) warnings.push(`${shown}: ${id(w0)}: ${containers.length} containers; the pod is modeled by svcbench's built-in server on the Service's targetPort`)

  // targetPort: a number, or a containerPort name.
  const target = port0?.targetPort ?? port0?.port
  let podPort: number | undefined
  if (typeof target === 'number') podPort = target
  else if (typeof target === 'string') {
    const cports = Array.isArray(c0.ports) ? (c0.ports as Obj[]) : []
    const named = cports.find((p) => p.name === target)
    if (named === undefined || typeof named.containerPort !== 'number') {
      issues.push({ path: `${sid}: spec.ports[0].targetPort`, message: `got ${JSON.stringify(target)}; no container port of ${id(w0)} has that name` })
    } else podPort = named.containerPort
  }

  const probe = isObj(c0.readinessProbe) ? c0.readinessProbe : undefined
  const readinessProbe: Obj | undefined =
    probe === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries({
            path: get(probe, 'httpGet.path'),
            periodSeconds: probe.periodSeconds,
            timeoutSeconds: probe.timeoutSeconds,
            failureThreshold: probe.failureThreshold,
            successThreshold: probe.successThreshold,
            initialDelaySeconds: probe.initialDelaySeconds,
          }).filter(([, v]) => v !== undefined),
        )
  if (probe !== undefined && !isObj(probe.httpGet)) warnings.push(`${shown}: ${id(w0)}: readinessProbe is not httpGet; svcbench probes over HTTP GET`)
  const grace = get(w0, 'spec.template.spec.terminationGracePeriodSeconds')
  if (issues.length > 0) throw new ScenarioError(issues)

  const pod: Obj = {}
  if (podPort !== undefined) pod.port = podPort
  if (readinessProbe !== undefined) pod.readinessProbe = readinessProbe
  if (grace !== undefined) pod.terminationGracePeriodSeconds = grace
  return { replicas, pod }
}

/** service.*: type, ports, affinity and traffic policies from the Service; mode, scheduler and IPVS timeouts from a KubeProxyConfiguration. */
function serviceFields(sel: Selection, warnings: string[]): Obj {
  const { shown, svc, sid, type, port0, proxyConfigs } = sel
  const service: Obj = { type }
  if (typeof port0?.nodePort === 'number') service.nodePort = port0.nodePort
  if (type === 'LoadBalancer') {
    if (typeof port0?.port === 'number') service.port = port0.port
    const hc = get(svc, 'spec.healthCheckNodePort')
    if (hc !== undefined) service.healthCheckNodePort = hc
  } else if (get(svc, 'spec.healthCheckNodePort') !== undefined) {
    warnings.push(`${sid}: spec.healthCheckNodePort only applies to type LoadBalancer, ignored`)
  }
  const affinity = get(svc, 'spec.sessionAffinity')
  if (affinity !== undefined) service.sessionAffinity = affinity
  const timeout = get(svc, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds')
  if (timeout !== undefined) service.sessionAffinityTimeoutSeconds = timeout
  for (const f of ['externalTrafficPolicy', 'internalTrafficPolicy']) {
    const v = get(svc, `spec.${f}`)
    if (v !== undefined) service[f] = v
  }
  if (proxyConfigs.length > 1) warnings.push(`${shown}: ${proxyConfigs.length} KubeProxyConfigurations; the first is used`)
  const kp = proxyConfigs[0]
  if (kp !== undefined) {
    const mode = kp.mode
    service.proxyMode = mode === undefined || mode === '' ? 'iptables' : mode
    const scheduler = get(kp, 'ipvs.scheduler')
    if (service.proxyMode === 'ipvs' && scheduler !== undefined && scheduler !== '') service.ipvsScheduler = scheduler
    // metav1.Duration strings ("900s", "2m"; "0s" keeps the kernel's), the form service.ipvs takes.
    const timeouts = Object.fromEntries(['tcpTimeout', 'tcpFinTimeout', 'udpTimeout'].map((k) => [k, get(kp, `ipvs.${k}`)]).filter(([, v]) => v !== undefined))
    if (service.proxyMode === 'ipvs' && Object.keys(timeouts).length > 0) service.ipvs = timeouts
  }
  return service
}

/**
 * Expand `cluster.manifests` in a scenario's default export: the manifests give the base
 * `cluster` and `service`, and what the scenario says itself wins. `manifestPath` (the CLI's
 * --manifests) replaces the scenario's own. Paths in a scenario are relative to its file.
 */
export function expandManifests(
  raw: unknown,
  opts: { scenarioFile?: string; manifestPath?: string },
): { scenario: unknown; warnings: string[]; manifests: string | undefined } {
  const scenario = isObj(raw) ? { ...raw } : raw
  if (!isObj(scenario)) return { scenario, warnings: [], manifests: undefined }
  const cluster = isObj(scenario.cluster) ? { ...scenario.cluster } : undefined
  const declared = cluster?.manifests
  let file: string | undefined
  if (opts.manifestPath !== undefined) file = opts.manifestPath
  else if (typeof declared === 'string') file = opts.scenarioFile === undefined ? declared : path.resolve(path.dirname(opts.scenarioFile), declared)
  if (file === undefined) return { scenario, warnings: [], manifests: undefined }
  if (cluster !== undefined) {
    delete cluster.manifests
    scenario.cluster = cluster
  }
  const m = readManifests(file)
  const merged = deepMerge(m.fields, { cluster: scenario.cluster, service: scenario.service }) as Obj
  // Explicit node placement in the scenario replaces the manifests' replica count.
  if (isObj(scenario.cluster) && Array.isArray((scenario.cluster as Obj).nodes) && isObj(merged.cluster)) {
    delete (merged.cluster as Obj).replicas
  }
  const out: Obj = { ...scenario, cluster: merged.cluster, service: merged.service }
  if (out.name === undefined) out.name = m.name
  return { scenario: out, warnings: m.warnings, manifests: file }
}
