/** What every step of reading a manifests input shares: the objects, where each came from, and the messages so far. */
import { isPlainObject } from '../../util/merge.ts'
import { listCapped } from './fields.ts'
import type { LoadOrigin } from '../../model/scenario.ts'

type Obj = Record<string, unknown>

/** The objects of a manifests input and the warnings and notes collected while reading them. */
export interface ManifestContext {
  objects: Obj[]
  /** The input as shown in messages (as the user gave it). */
  shown: string
  fileOf: Map<Obj, string>
  warnings: string[]
  notes: string[]
  /** Nodes the pods run on (Node objects, else the scenario's, else the default): a DaemonSet runs one pod on each. */
  nodeCount: number
  /** The scenario's load.from, when it says: in-cluster clients connect to the Service's port whatever its type. */
  loadFrom?: LoadOrigin
}

/** A value at a dotted path, or undefined. */
export function get(o: unknown, p: string): unknown {
  let cur = o
  for (const k of p.split('.')) cur = isPlainObject(cur) ? cur[k] : undefined
  return cur
}

/** `Kind/name`, for messages. */
export function idOf(o: Obj): string {
  return `${String(o.kind)}/${String(get(o, 'metadata.name') ?? '(unnamed)')}`
}

/** `<file>: Kind/name`: the prefix of an object's messages. */
export function whereOf(ctx: ManifestContext, o: Obj): string {
  return `${ctx.fileOf.get(o) ?? ctx.shown}: ${idOf(o)}`
}

/** The objects of these kinds, in input order. */
export function ofKind(ctx: ManifestContext, ...kinds: string[]): Obj[] {
  return ctx.objects.filter((o) => kinds.includes(String(o.kind)))
}

/** `app=web,tier=front`. */
export const fmtLabels = (o: Obj): string => Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(',')

/** Names of objects, capped: `Deployment/a, Deployment/b and 3 more`. */
export const idsCapped = (os: readonly Obj[]): string => listCapped(os.map(idOf))

/** A plain object at `p`, or `{}`. */
export function objAt(o: unknown, p: string): Obj {
  const v = get(o, p)
  return isPlainObject(v) ? v : {}
}
