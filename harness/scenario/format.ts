import type { ScenarioIssue } from '../errors.ts'
import { didYouMean, showValue } from '../util/text.ts'

/** Dotted path from a zod path: `cluster.nodes[1].pods`. */
export function joinPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    // Record keys that are not plain names (threshold paths like "latency.p99") are quoted.
    else if (out !== '' && !/^[A-Za-z_$][\w$-]*$/.test(String(p))) out += `[${JSON.stringify(String(p))}]`
    else out += out === '' ? String(p) : `.${String(p)}`
  }
  return out === '' ? '(scenario)' : out
}

interface ZodLikeIssue {
  code: string
  path: PropertyKey[]
  message: string
  input?: unknown
  keys?: string[]
  values?: unknown[]
  errors?: ZodLikeIssue[][]
}

/** Turn zod issues into svcbench issues: path, bad value, what is expected, a hint. */
export function fromZodIssues(issues: readonly ZodLikeIssue[], prefix: readonly PropertyKey[] = []): ScenarioIssue[] {
  const out: ScenarioIssue[] = []
  for (const iss of issues) {
    const path = [...prefix, ...iss.path]
    if (iss.code === 'unrecognized_keys') {
      const known = /expected one of (.*)$/.exec(iss.message)?.[1]?.split(', ') ?? []
      for (const key of iss.keys ?? []) {
        const hint = didYouMean(key, known)
        out.push({
          path: joinPath([...path, key]),
          message: `unknown field${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; expected one of ${known.join(', ')}`,
        })
      }
      continue
    }
    if (iss.code === 'invalid_union' && iss.errors !== undefined) {
      // When exactly one branch got past the type check, its errors are the useful ones.
      const deep = iss.errors.filter((branch) => branch.some((e) => e.path.length > 0 || e.code === 'unrecognized_keys' || e.code === 'invalid_union'))
      if (deep.length === 1) {
        out.push(...fromZodIssues(deep[0] as ZodLikeIssue[], path))
        continue
      }
    }
    if (iss.code === 'invalid_value' && iss.values !== undefined && iss.message.startsWith('Invalid')) {
      const values = iss.values.map(String)
      const hint = typeof iss.input === 'string' ? didYouMean(iss.input, values) : undefined
      out.push({
        path: joinPath(path),
        message: `got ${showValue(iss.input)}; expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
      })
      continue
    }
    if (iss.code === 'invalid_type' && iss.input === undefined) {
      out.push({ path: joinPath(path), message: `required field is missing; ${lowerFirst(iss.message)}` })
      continue
    }
    out.push({ path: joinPath(path), message: `got ${showValue(iss.input)}; ${lowerFirst(iss.message)}` })
  }
  return out
}

function lowerFirst(s: string): string {
  return s.replace(/^Invalid input: /, '').replace(/^[A-Z]/, (c) => c.toLowerCase())
}
