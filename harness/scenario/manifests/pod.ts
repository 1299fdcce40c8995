/**
 * `cluster.pod` from the pods behind the Service: the pod port (the Service's targetPort, a number
 * or a container port name), and from the container that serves it its readiness and startup
 * probes (handler, port, timings) and the pod's termination grace period.
 */
import { ScenarioError, type ScenarioIssue } from '../../errors.ts'
import { isPlainObject } from '../../util/merge.ts'
import { type ManifestContext, get, idOf, objAt, whereOf } from './context.ts'
import type { Backends } from './backends.ts'

type Obj = Record<string, unknown>

const TIMINGS = ['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold', 'initialDelaySeconds'] as const

const containerPorts = (c: Obj) => (Array.isArray(c.ports) ? c.ports.filter(isPlainObject) : [])

/** The container serving `target` (a number or a port name), else the first. */
function servingContainer(containers: Obj[], target: unknown): Obj {
  const serves = (c: Obj) => containerPorts(c).some((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target))
  return containers.find(serves) ?? containers[0] ?? {}
}

/** What one probe of a container becomes, and how it was written. */
interface ParsedProbe {
  fields: Obj
  writtenAs: string
}

/** A probe → scenario probe fields; a port the same as the pod's is left out (the default). */
function parseProbe(probe: Obj, c: Obj, podPort: number | undefined, where: string, issues: ScenarioIssue[]): ParsedProbe {
  const fields: Obj = {}
  let writtenAs = 'httpGet'
  let rawPort: unknown
  if (isPlainObject(probe.httpGet)) {
    fields.path = (probe.httpGet.path as string | undefined) ?? '/'
    rawPort = probe.httpGet.port
  } else if (isPlainObject(probe.tcpSocket)) {
    writtenAs = fields.type = 'tcpSocket'
    rawPort = probe.tcpSocket.port
  } else if (isPlainObject(probe.grpc)) {
    writtenAs = fields.type = 'grpc'
    rawPort = probe.grpc.port
  } else if (isPlainObject(probe.exec)) {
    writtenAs = fields.type = 'exec'
  }
  if (rawPort !== undefined) {
    const named = typeof rawPort === 'string' ? containerPorts(c).find((p) => p.name === rawPort) : undefined
    const n = typeof rawPort === 'number' ? rawPort : named?.containerPort
    if (typeof n !== 'number') issues.push({ path: `${where}.port`, message: `got ${JSON.stringify(rawPort)}; no container port of ${String(c.name)} has that name` })
    else if (n !== podPort) fields.port = n
  }
  for (const t of TIMINGS) if (probe[t] !== undefined) fields[t] = probe[t]
  return { fields, writtenAs }
}

/** cluster.pod: port, readinessProbe, startupProbe and terminationGracePeriodSeconds. */
export function podFields(ctx: ManifestContext, svc: Obj, port: { port: Obj; index: number }, backends: Backends): Obj {
  const sid = whereOf(ctx, svc)
  const issues: ScenarioIssue[] = []
  const target = port.port.targetPort ?? port.port.port
  const pod: Obj = {}
  const w0 = backends.matched[0]
  if (w0 === undefined) {
    // A Service without a selector: the endpoints' port, else a numeric targetPort.
    const p = backends.endpointPort ?? (typeof target === 'number' ? target : undefined)
    if (p === undefined) issues.push({ path: `${sid}: spec.ports[${port.index}].targetPort`, message: `got ${JSON.stringify(target)}; a named targetPort needs the endpoints to carry a port of the Service port's name` })
    else pod.port = p
    if (issues.length > 0) throw new ScenarioError(issues, { warnings: ctx.warnings })
    return pod
  }
  const spec = w0.kind === 'Pod' ? objAt(w0, 'spec') : objAt(w0, 'spec.template.spec')
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isPlainObject)
  const c = servingContainer(containers, target)
  if (containers.length > 1) ctx.warnings.push(`${whereOf(ctx, w0)}: ${containers.length} containers; the pod is modeled by svcbench's built-in server on the Service's targetPort (probes from container ${String(c.name)})`)
  if (typeof target === 'number') pod.port = target
  else if (typeof target === 'string') {
    const named = containers.flatMap(containerPorts).find((p) => p.name === target)
    if (typeof named?.containerPort !== 'number') issues.push({ path: `${sid}: spec.ports[${port.index}].targetPort`, message: `got ${JSON.stringify(target)}; no container port of ${idOf(w0)} has that name` })
    else pod.port = named.containerPort
  }
  const written: string[] = []
  for (const name of ['readinessProbe', 'startupProbe'] as const) {
    const probe = c[name]
    if (!isPlainObject(probe)) continue
    const parsed = parseProbe(probe, c, pod.port as number | undefined, `${whereOf(ctx, w0)}: ${name}`, issues)
    pod[name] = parsed.fields
    if (parsed.writtenAs === 'exec' || parsed.writtenAs === 'grpc') written.push(`${name} is ${parsed.writtenAs}`)
  }
  if (written.length > 0) {
    ctx.warnings.push(`${whereOf(ctx, w0)}: ${written.join(' and ')}, which cannot run here: probed over HTTP GET of ${String(get(pod, 'readinessProbe.path') ?? '/healthz')} with the same timings (results: cluster.readinessProbeHandler.writtenAs)`)
  }
  const grace = spec.terminationGracePeriodSeconds
  if (grace !== undefined) pod.terminationGracePeriodSeconds = grace
  if (issues.length > 0) throw new ScenarioError(issues, { warnings: ctx.warnings })
  return pod
}
