/** The command line of `cluster.pod.command`, split as a shell would for a plain command. */

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
