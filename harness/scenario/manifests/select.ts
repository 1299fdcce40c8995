/**
 * Which Service of the manifests runs, as which type, on which of its ports: `--service` /
 * `cluster.manifests.service`, else the only Service, else the only NodePort or LoadBalancer one;
 * `--port`, else the first port. Every refusal names the fix.
 */
import { ScenarioError } from '../../errors.ts'
import { isPlainObject } from '../../util/merge.ts'
import { type ManifestContext, get, idOf, ofKind, whereOf } from './context.ts'
import type { ServiceType } from '../../model/scenario.ts'

type Obj = Record<string, unknown>


/** How a Service is written in a list: `frontend (ClusterIP)`. */
const listed = (s: Obj) => `${String(get(s, 'metadata.name'))} (${typeOf(s)}${get(s, 'spec.clusterIP') === 'None' ? ', headless' : ''})`

/** The Service's type as the API server defaults it. */
export function typeOf(svc: Obj): string {
  return (get(svc, 'spec.type') as string | undefined) ?? 'ClusterIP'
}

const PICK_HINT = '--service NAME (or cluster.manifests: { file, service } in a scenario)'

/** The Service to run: `want` by name, else the only one, else the only NodePort/LoadBalancer one. */
export function pickService(ctx: ManifestContext, want: string | undefined): Obj {
  const services = ofKind(ctx, 'Service')
  const fail = (path: string, message: string) => new ScenarioError([{ path, message }], { warnings: ctx.warnings })
  if (services.length === 0) {
    const w = ofKind(ctx, 'Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet')[0]
    const expose = w === undefined ? '' : ` (kubectl expose ${String(w.kind).toLowerCase()} ${String(get(w, 'metadata.name'))} --type=NodePort --port=PORT --dry-run=client -o yaml writes one)`
    throw fail(ctx.shown, `no Service; expected a Service (type NodePort or LoadBalancer) selecting the pods${expose}`)
  }
  const all = services.map(listed).join(', ')
  if (want !== undefined) {
    const svc = services.find((s) => get(s, 'metadata.name') === want)
    if (svc === undefined) throw fail('--service', `got ${JSON.stringify(want)}; ${ctx.shown} has no Service of that name; expected one of ${all}`)
    return svc
  }
  if (services.length === 1) return services[0] as Obj
  const exposed = services.filter((s) => typeOf(s) === 'NodePort' || typeOf(s) === 'LoadBalancer')
  if (exposed.length === 1) {
    const svc = exposed[0] as Obj
    ctx.notes.push(`${whereOf(ctx, svc)}: picked, the only NodePort or LoadBalancer Service of ${services.length}; ${PICK_HINT} picks another`)
    return svc
  }
  const why = exposed.length === 0 ? 'none is NodePort or LoadBalancer' : `${exposed.length} are NodePort or LoadBalancer`
  throw fail(ctx.shown, `${services.length} Services and ${why}: ${all}; pick one with ${PICK_HINT}`)
}

/**
 * The type the Service runs as: its own, unless the scenario's `service.type` (`override`) says
 * another. Headless and ExternalName Services cannot run. A ClusterIP Service runs with in-cluster
 * clients (load.from 'cluster'), or exposed as the override says.
 */
export function runAs(ctx: ManifestContext, svc: Obj, override: ServiceType | undefined): ServiceType {
  const sid = whereOf(ctx, svc)
  const type = typeOf(svc)
  const fail = (path: string, message: string) => new ScenarioError([{ path: `${sid}: ${path}`, message }], { warnings: ctx.warnings })
  if (get(svc, 'spec.clusterIP') === 'None') {
    throw fail('spec.clusterIP', 'got "None" (a headless Service); there is no virtual IP to balance: clients resolve the pods\' addresses through DNS and pick one themselves; expected a Service with a cluster IP')
  }
  if (type === 'ExternalName') throw fail('spec.type', 'got "ExternalName" (a DNS alias with no endpoints); expected NodePort, LoadBalancer or ClusterIP')
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer') throw fail('spec.type', `got ${JSON.stringify(type)}; expected NodePort, LoadBalancer or ClusterIP`)
  if (type === 'ClusterIP' && (override === undefined || override === 'ClusterIP')) {
    ctx.notes.push(`${sid}: type ClusterIP: its clients are pods in the cluster (load.from 'cluster', client pods spread over the nodes, each at the ClusterIP through its own node's kube-proxy); --service-type NodePort runs it exposed to clients outside the cluster instead`)
    return 'ClusterIP'
  }
  if (override === undefined || override === type) return type
  ctx.notes.push(`${sid}: type ${type} in the file; runs as ${override} (service.type from the scenario or --service-type)${type === 'ClusterIP' ? ', with clients outside the cluster' : ''}`)
  return override
}

/** The port to benchmark: `want` by name or number, else the first; SCTP is refused (TCP and UDP run). */
export function pickPort(ctx: ManifestContext, svc: Obj, want: string | number | undefined): { port: Obj; index: number } {
  const sid = whereOf(ctx, svc)
  const ports = (Array.isArray(get(svc, 'spec.ports')) ? (get(svc, 'spec.ports') as unknown[]) : []).filter(isPlainObject)
  const fail = (path: string, message: string) => new ScenarioError([{ path, message }], { warnings: ctx.warnings })
  const label = (p: Obj) => (p.name === undefined ? String(p.port) : `${String(p.name)} (${String(p.port)}${p.protocol === undefined || p.protocol === 'TCP' ? '' : `/${String(p.protocol)}`})`)
  if (ports.length === 0) throw fail(`${sid}: spec.ports`, 'missing; expected at least one port')
  let index = 0
  if (want !== undefined) {
    index = ports.findIndex((p) => p.name === want || String(p.port) === String(want))
    if (index < 0) throw fail('--port', `got ${JSON.stringify(want)}; ${idOf(svc)} has no port of that name or number; expected one of ${ports.map(label).join(', ')}`)
  } else if (ports.length > 1) {
    ctx.warnings.push(`${sid}: spec.ports: ${ports.length} ports; only the first (${String(ports[0]?.name ?? ports[0]?.port)}) is benchmarked; --port NAME|NUMBER (or cluster.manifests: { file, port }) picks another of ${ports.map(label).join(', ')}`)
  }
  const port = ports[index] as Obj
  const protocol = port.protocol ?? 'TCP'
  if (protocol !== 'TCP' && protocol !== 'UDP') {
    const other = ports.find((p) => ['TCP', 'UDP'].includes(String(p.protocol ?? 'TCP')))
    throw fail(`${sid}: spec.ports[${index}].protocol`, `port ${label(port)} is ${String(protocol)}; svcbench runs TCP and UDP Services only${other === undefined ? '' : `; --port ${String(other.name ?? other.port)} picks its ${String(other.protocol ?? 'TCP')} port`}`)
  }
  return { port, index }
}
