/**
 * Which issues a variant's override caused. A variant is checked merged with the base body; an
 * issue under a path the override does not touch belongs to the base (reported once, there).
 */
import { isPlainObject } from '../util/merge.ts'

/** `a.b["c.d"][2]` → ['a', 'b', 'c.d', '2']. */
export function pathKeys(path: string): string[] {
  return [...path.matchAll(/\["([^"]*)"\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] ?? m[2] ?? m[3]) as string)
}

/** True when `path` (keys, from a zod issue or {@link pathKeys}) lies inside the override object. */
export function touches(override: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = override
  for (const key of path) {
    if (Array.isArray(cur)) return true // the override replaced the whole list
    if (!isPlainObject(cur) || !(String(key) in cur)) return false
    cur = cur[String(key)]
  }
  return true
}

/** A zod issue, as much of it as the attribution reads. */
export interface RawIssue {
  code: string
  path: PropertyKey[]
  message: string
  keys?: string[]
  input?: unknown
}

/** The part of a merged-variant schema issue that the override itself caused, if any. */
export function ownIssue(override: unknown, i: RawIssue): RawIssue[] {
  if (!touches(override, i.path)) return []
  if (i.code !== 'unrecognized_keys') return [i]
  let cur: unknown = override
  for (const k of i.path) cur = isPlainObject(cur) ? cur[String(k)] : undefined
  const keys = (i.keys ?? []).filter((k) => isPlainObject(cur) && k in cur)
  return keys.length === 0 ? [] : [{ ...i, keys }]
}
