/**
 * The pods behind the Service: the workloads and bare Pods its selector matches, with the replica
 * count a cluster would run (an HPA's bounds, one DaemonSet pod per node); or, for a Service
 * without a selector, one pod per address of its EndpointSlices (or Endpoints).
 */
import { ScenarioError, type ScenarioIssue } from '../../errors.ts'
import { isPlainObject } from '../../util/merge.ts'
import { type ManifestContext, fmtLabels, get, idOf, idsCapped, objAt, ofKind, whereOf } from './context.ts'

type Obj = Record<string, unknown>

/** Kinds whose pod template makes pods (the Service selects by the template's labels). */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet'] as const

/** What serves the Service. */
export interface Backends {
  /** The selected workloads and bare Pods, in input order (pod settings come from the first); empty for endpoints. */
  matched: Obj[]
  replicas: number
  /** Pods per node when the file places them (an endpoint's nodeName); else undefined (spread round-robin). */
  placement: { name: string; pods: number }[] | undefined
  /** The pod port an EndpointSlice or Endpoints names; undefined for selected pods. */
  endpointPort: number | undefined
  /** Every other object read for it (HPAs, EndpointSlices, Endpoints), for the unmodelled-field check. */
  read: Obj[]
}

/** A Kubernetes node name as a scenario node name (`[a-z0-9-]+`). */
export function nodeName(n: string): string {
  return n.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'node'
}

const labelsOf = (o: Obj) => (o.kind === 'Pod' ? objAt(o, 'metadata.labels') : objAt(o, 'spec.template.metadata.labels'))

/** An object whose controller (a ReplicaSet's Deployment, a Pod's ReplicaSet) is in the file too: its owner counts it. */
function ownedInFile(ctx: ManifestContext, o: Obj): boolean {
  const refs = get(o, 'metadata.ownerReferences')
  if (!Array.isArray(refs)) return false
  return refs.some((r) => isPlainObject(r) && r.controller === true && ctx.objects.some((x) => x.kind === r.kind && get(x, 'metadata.name') === r.name))
}

/** The pods behind `svc` (its benchmarked port is `port`). Throws ScenarioError when there are none. */
export function findBackends(ctx: ManifestContext, svc: Obj, port: Obj): Backends {
  const selector = objAt(svc, 'spec.selector')
  if (Object.keys(selector).length === 0) return fromEndpoints(ctx, svc, port)
  const sid = whereOf(ctx, svc)
  const candidates = ofKind(ctx, ...WORKLOAD_KINDS, 'Pod').filter((o) => !ownedInFile(ctx, o))
  const matched = candidates.filter((o) => Object.entries(selector).every(([k, v]) => labelsOf(o)[k] === v))
  if (matched.length === 0) {
    const found = candidates.length === 0 ? ' (the file has none)' : ` (found: ${candidates.map((w) => `${idOf(w)} with ${fmtLabels(labelsOf(w))}`).join('; ')})`
    throw new ScenarioError([{ path: `${sid}: spec.selector`, message: `selects ${fmtLabels(selector)} but no Deployment or StatefulSet has those pod template labels${found}` }], { warnings: ctx.warnings })
  }
  const others = candidates.filter((o) => !matched.includes(o))
  if (others.length === 1) ctx.warnings.push(`${whereOf(ctx, others[0] as Obj)}: not selected by ${idOf(svc)}, ignored`)
  else if (others.length > 1) ctx.warnings.push(`${ctx.shown}: ${others.length} workloads and Pods not selected by ${idOf(svc)}, ignored: ${idsCapped(others)}`)
  const issues: ScenarioIssue[] = []
  const read: Obj[] = []
  let replicas = 0
  for (const w of matched) replicas += replicasOf(ctx, w, read, issues)
  if (issues.length > 0) throw new ScenarioError(issues, { warnings: ctx.warnings })
  if (matched.length > 1) ctx.warnings.push(`${sid}: selects ${matched.length} workloads (${idsCapped(matched)}); their replicas are added, pod settings come from ${idOf(matched[0] as Obj)}`)
  return { matched, replicas, placement: undefined, endpointPort: undefined, read }
}

/**
 * The pods a workload runs: a Pod is one, a DaemonSet one per node; else `spec.replicas`
 * (1 when absent, the API server's default), held between an HPA's minReplicas (default 1) and
 * maxReplicas as the HPA controller does (kubernetes pkg/controller/podautoscaler/horizontal.go,
 * normalizeDesiredReplicas: below min → min, above max → max).
 */
function replicasOf(ctx: ManifestContext, w: Obj, read: Obj[], issues: ScenarioIssue[]): number {
  if (w.kind === 'Pod') return 1
  if (w.kind === 'DaemonSet') {
    ctx.notes.push(`${whereOf(ctx, w)}: a DaemonSet runs one pod on each of the ${ctx.nodeCount} nodes`)
    return ctx.nodeCount
  }
  const r = get(w, 'spec.replicas')
  if (r !== undefined && (typeof r !== 'number' || !Number.isInteger(r) || r < 0)) {
    issues.push({ path: `${whereOf(ctx, w)}: spec.replicas`, message: `got ${JSON.stringify(r)}; expected a non-negative integer` })
    return 0
  }
  const hpa = ofKind(ctx, 'HorizontalPodAutoscaler').find((h) => get(h, 'spec.scaleTargetRef.name') === get(w, 'metadata.name') && [undefined, w.kind].includes(get(h, 'spec.scaleTargetRef.kind') as string | undefined))
  const own = typeof r === 'number' ? r : 1
  if (hpa === undefined) return own
  read.push(hpa)
  const min = typeof get(hpa, 'spec.minReplicas') === 'number' ? (get(hpa, 'spec.minReplicas') as number) : 1
  const max = typeof get(hpa, 'spec.maxReplicas') === 'number' ? (get(hpa, 'spec.maxReplicas') as number) : Number.POSITIVE_INFINITY
  const n = Math.min(max, Math.max(min, own))
  ctx.notes.push(`${whereOf(ctx, w)}: ${n} replica${n === 1 ? '' : 's'} (${r === undefined ? 'no spec.replicas' : `spec.replicas ${own}`}; ${idOf(hpa)} keeps it from ${min} to ${max === Number.POSITIVE_INFINITY ? 'any' : max})`)
  return n
}

/** One pod per ready address of the Service's EndpointSlices, else of its Endpoints. */
function fromEndpoints(ctx: ManifestContext, svc: Obj, port: Obj): Backends {
  const name = get(svc, 'metadata.name')
  const sid = whereOf(ctx, svc)
  const slices = ofKind(ctx, 'EndpointSlice').filter((s) => objAt(s, 'metadata.labels')['kubernetes.io/service-name'] === name)
  const endpoints = slices.length > 0 ? [] : ofKind(ctx, 'Endpoints').filter((e) => get(e, 'metadata.name') === name)
  const portName = (port.name as string | undefined) ?? ''
  const pods: { node: string | undefined }[] = []
  const skipped: string[] = []
  let endpointPort: number | undefined
  const portOf = (ports: unknown) => {
    const p = (Array.isArray(ports) ? ports : []).filter(isPlainObject).find((x) => ((x.name as string | undefined) ?? '') === portName)
    if (typeof p?.port === 'number') endpointPort ??= p.port
  }
  for (const s of slices) {
    portOf(s.ports)
    for (const e of (Array.isArray(s.endpoints) ? s.endpoints : []).filter(isPlainObject)) {
      // (ready is unset when unknown, which consumers treat as ready: discovery/v1 EndpointConditions)
      if (get(e, 'conditions.ready') === false) skipped.push(String((e.addresses as unknown[] | undefined)?.[0]))
      else pods.push({ node: e.nodeName as string | undefined })
    }
  }
  for (const ep of endpoints) {
    for (const sub of (Array.isArray(ep.subsets) ? ep.subsets : []).filter(isPlainObject)) {
      portOf(sub.ports)
      for (const a of (Array.isArray(sub.addresses) ? sub.addresses : []).filter(isPlainObject)) pods.push({ node: a.nodeName as string | undefined })
      for (const a of (Array.isArray(sub.notReadyAddresses) ? sub.notReadyAddresses : []).filter(isPlainObject)) skipped.push(String(a.ip))
    }
  }
  const read = [...slices, ...endpoints]
  if (read.length === 0) {
    throw new ScenarioError([{ path: `${sid}: spec.selector`, message: `missing or empty, and the file has no EndpointSlice labelled kubernetes.io/service-name=${String(name)} nor Endpoints named ${String(name)}; expected a selector that matches the pods, or the endpoints of a Service without one` }], { warnings: ctx.warnings })
  }
  if (skipped.length > 0) ctx.warnings.push(`${sid}: ${skipped.length} endpoint${skipped.length === 1 ? ' is' : 's are'} not ready, not run: ${skipped.join(', ')}`)
  if (pods.length === 0) throw new ScenarioError([{ path: sid, message: `${idsCapped(read)} hold no ready endpoint; expected at least one address` }], { warnings: ctx.warnings })
  ctx.notes.push(`${sid}: no selector; ${pods.length} pod${pods.length === 1 ? '' : 's'} from the addresses of ${idsCapped(read)}`)
  return { matched: [], replicas: pods.length, placement: placementOf(ctx, sid, pods), endpointPort, read }
}

/** Pods per node from endpoints' nodeName; those without one are spread over the named nodes. */
function placementOf(ctx: ManifestContext, sid: string, pods: { node: string | undefined }[]): Backends['placement'] {
  const names = [...new Set(pods.flatMap((p) => (p.node === undefined ? [] : [nodeName(p.node)])))]
  if (names.length === 0) return undefined
  const counts = new Map(names.map((n) => [n, 0]))
  let next = 0
  const unplaced = pods.filter((p) => p.node === undefined).length
  for (const p of pods) {
    const n = p.node === undefined ? (names[next++ % names.length] as string) : nodeName(p.node)
    counts.set(n, (counts.get(n) ?? 0) + 1)
  }
  if (unplaced > 0) ctx.warnings.push(`${sid}: ${unplaced} endpoint${unplaced === 1 ? ' has' : 's have'} no nodeName; spread over ${names.join(', ')}`)
  return [...counts].map(([name, n]) => ({ name, pods: n }))
}
