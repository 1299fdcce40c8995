/**
 * Loads renderIptables output into a network namespace as kube-proxy's iptables proxier does
 * (pkg/proxy/iptables/proxier.go `syncProxyRules`): one `iptables-restore --noflush` of the
 * filter and nat tables, where every chain line flushes that chain and kube-proxy's stale
 * per-Service chains are flushed and deleted (`-X`) in the same restore, so the update is atomic.
 * The jumps from the built-in chains are added in that same restore when missing (kube-proxy
 * ensures them with `iptables -C`/`-I` before it). svcbench's decision counting chains are
 * declared only when they do not exist yet, so that their counters keep counting across syncs.
 */
import { IPTABLES_DECISION_CHAIN_PREFIX, IPTABLES_JUMP_CHAINS, IPTABLES_SERVICE_CHAIN_PREFIXES, IPTABLES_TOP_CHAINS } from './iptables.ts'
import { mustRunInNetns } from './netns-exec.ts'

type Table = 'filter' | 'nat'

/** One table block of iptables-save or iptables-restore text. */
interface TableBlock {
  /** `:CHAIN POLICY [p:b]` lines. */
  chains: string[]
  /** Rule and command lines (`-A`, `-I`, `-X`, with `[p:b]` counters when saved with -c). */
  rules: string[]
}

/** Splits iptables-save/restore text into its table blocks (comments dropped). */
export function parseTables(text: string): Map<string, TableBlock> {
  const tables = new Map<string, TableBlock>()
  let current: TableBlock | undefined
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('*')) {
      current = { chains: [], rules: [] }
      tables.set(line.slice(1), current)
    } else if (line === 'COMMIT') current = undefined
    else if (current !== undefined) (line.startsWith(':') ? current.chains : current.rules).push(line)
  }
  return tables
}

/** The chain a chain line declares. */
const chainOf = (chainLine: string) => chainLine.slice(1).split(' ')[0] ?? ''

/** The chain a rule line (`[p:b] -A CHAIN …` or `-A CHAIN …`) appends to, or undefined. */
function ruleChain(line: string): string | undefined {
  const m = /^(?:\[\d+:\d+\] )?-A (\S+)/.exec(line)
  return m?.[1]
}

/** Chain names of `block`. */
const chainsOf = (block: TableBlock | undefined) => new Set((block?.chains ?? []).map(chainOf))

/** Whether a built-in chain already holds a rule jumping to `target`. */
function hasJump(block: TableBlock | undefined, from: string, target: string): boolean {
  return (block?.rules ?? []).some((r) => ruleChain(r) === from && r.endsWith(` -j ${target}`))
}

/** The restore input for one table: the rendered block, adjusted to what the namespace already has. */
function adjustTable(table: Table, rendered: TableBlock, saved: TableBlock | undefined): TableBlock {
  const existing = chainsOf(saved)
  // A decision chain that exists keeps its counter: neither redeclared (that would flush it) nor refilled.
  const keep = (chain: string) => chain.startsWith(IPTABLES_DECISION_CHAIN_PREFIX) && existing.has(chain)
  const chains = rendered.chains.filter((c) => !keep(chainOf(c)))
  const rules = rendered.rules.filter((r) => !keep(ruleChain(r) ?? ''))
  const jumps = IPTABLES_JUMP_CHAINS.filter((j) => j.table === table && !hasJump(saved, j.from, j.target)).map((j) => `-I ${j.from} 1 ${j.match} -j ${j.target}`)
  const declared = chainsOf(rendered)
  const stale = [...existing].filter((c) => IPTABLES_SERVICE_CHAIN_PREFIXES.some((p) => c.startsWith(p)) && !declared.has(c))
  return { chains: [...chains, ...stale.map((c) => `:${c} - [0:0]`)], rules: [...jumps, ...rules, ...stale.map((c) => `-X ${c}`)] }
}

/** Table blocks back to restore text. */
function formatTables(tables: ReadonlyMap<string, TableBlock>): string {
  return [...tables].map(([name, b]) => [`*${name}`, ...b.chains, ...b.rules, 'COMMIT'].join('\n')).join('\n') + '\n'
}

/** `iptables-save` (every table, with counters) of `netns`, parsed. */
async function save(netns: string): Promise<Map<string, TableBlock>> {
  return parseTables(await mustRunInNetns(netns, ['iptables-save', '-c'], 'reading iptables rules'))
}

/** Applies `text` (renderIptables output) to `netns` in one iptables-restore, replacing the previous kube-proxy rules. */
export async function applyIptables(netns: string, text: string): Promise<void> {
  const saved = await save(netns)
  const rendered = parseTables(text)
  const out = new Map<string, TableBlock>()
  for (const [name, block] of rendered) out.set(name, name === 'filter' || name === 'nat' ? adjustTable(name, block, saved.get(name)) : block)
  await mustRunInNetns(netns, ['iptables-restore', '-w', '--noflush'], 'loading iptables rules', { stdin: formatTables(out) })
}

/** Per endpoint name, the connections its SVCB-DEC chain saw (the RETURN rule's packet counter). */
export async function readIptablesCounters(netns: string): Promise<Record<string, number>> {
  const nat = (await save(netns)).get('nat')
  const out: Record<string, number> = {}
  for (const line of nat?.rules ?? []) {
    const m = /^\[(\d+):\d+\] -A (\S+) .*--comment "?([^" ]+)"? -j RETURN$/.exec(line)
    if (m !== null && (m[2] ?? '').startsWith(IPTABLES_DECISION_CHAIN_PREFIX)) out[m[3] ?? ''] = Number(m[1])
  }
  return out
}

/** Whether a chain is one svcbench's kube-proxy rules own. */
function ownChain(table: Table, chain: string): boolean {
  return (
    (IPTABLES_TOP_CHAINS[table] as readonly string[]).includes(chain) ||
    chain.startsWith(IPTABLES_DECISION_CHAIN_PREFIX) ||
    IPTABLES_SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p))
  )
}

/** Removes every jump, chain and rule of kube-proxy's (and the decision chains) in one restore (`CleanupLeftovers`). */
export async function clearIptables(netns: string): Promise<void> {
  const saved = await save(netns)
  const out = new Map<string, TableBlock>()
  for (const table of ['filter', 'nat'] as const) {
    const block = saved.get(table)
    if (block === undefined) continue
    const own = [...chainsOf(block)].filter((c) => ownChain(table, c))
    if (own.length === 0) continue
    // Unlink first: the built-in chains' rules that jump to ours, deleted by their saved spec.
    const unlink = block.rules.flatMap((r) => {
      const spec = r.replace(/^\[\d+:\d+\] /, '')
      const chain = ruleChain(spec) ?? ''
      return !ownChain(table, chain) && own.some((c) => spec.endsWith(` -j ${c}`)) ? [spec.replace(/^-A /, '-D ')] : []
    })
    out.set(table, { chains: own.map((c) => `:${c} - [0:0]`), rules: [...unlink, ...own.map((c) => `-X ${c}`)] })
  }
  if (out.size > 0) await mustRunInNetns(netns, ['iptables-restore', '-w', '--noflush'], 'removing iptables rules', { stdin: formatTables(out) })
}
