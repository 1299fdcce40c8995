/**
 * Loads renderNftables output into a network namespace the way kube-proxy's knftables
 * transactions do: one `nft -f` transaction that flushes the kube-proxy table's rules and writes
 * the new ones, so no packet ever sees half a ruleset. Map and set contents are flushed by the
 * rendered text itself (kube-proxy's `reset()`); affinity sets and svcbench's named decision
 * counters are re-added, not recreated, so they keep their contents. Stale affinity sets are
 * deleted in the same transaction and stale service chains in the next one, as `syncProxyRules`
 * does (pkg/proxy/nftables/proxier.go).
 */
import { NFT_DECISION_COUNTER_PREFIX, NFT_TABLE } from './nftables.ts'
import { mustRunInNetns, runInNetns, KERNEL_RULES_ERROR_CODE } from './netns-exec.ts'
import { HarnessError } from '../../../errors.ts'

/** nft's answer when the table is not there. */
const NO_TABLE = /No such file or directory/

/** One object of `nft -j list table` output. */
type NftJsonItem = { chain?: { name: string }; set?: { name: string }; counter?: { name: string; packets: number } }

/** `nft -j list …` of the kube-proxy table, or null when it does not exist. */
async function listTable(netns: string, what: 'table' | 'counters table'): Promise<NftJsonItem[] | null> {
  const r = await runInNetns(netns, ['nft', '-j', 'list', ...what.split(' '), ...NFT_TABLE.split(' ')])
  if (r.code !== 0) {
    if (NO_TABLE.test(r.stderr)) return null
    throw new HarnessError(KERNEL_RULES_ERROR_CODE, `listing nftables table ${NFT_TABLE} in netns "${netns}": ${r.stderr.trim()}`)
  }
  const parsed = JSON.parse(r.stdout) as { nftables?: NftJsonItem[] }
  return parsed.nftables ?? []
}

/** Names of the chains, sets and maps `text` declares (`add chain|set|map ip kube-proxy NAME`). */
function declaredNames(text: string): Set<string> {
  const out = new Set<string>()
  const re = /^add (?:chain|set|map) ip kube-proxy (\S+)/gm
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.add(m[1] ?? '')
  return out
}

/** Applies `text` (renderNftables output) to `netns` atomically, replacing the previous kube-proxy ruleset. */
export async function applyNftables(netns: string, text: string): Promise<void> {
  const existing = (await listTable(netns, 'table')) ?? []
  const declared = declaredNames(text)
  // kube-proxy names every per-Service chain with a "/" (isServiceChainName) and every affinity set "affinity-".
  const staleChains = existing.flatMap((i) => (i.chain !== undefined && i.chain.name.includes('/') && !declared.has(i.chain.name) ? [i.chain.name] : []))
  const staleSets = existing.flatMap((i) => (i.set !== undefined && i.set.name.startsWith('affinity-') && !declared.has(i.set.name) ? [i.set.name] : []))
  const tx = [`add table ${NFT_TABLE}`, `flush table ${NFT_TABLE}`, text.trimEnd(), ...staleSets.map((s) => `delete set ${NFT_TABLE} ${s}`), ''].join('\n')
  await mustRunInNetns(netns, ['nft', '-f', '-'], 'loading the nftables ruleset', { stdin: tx })
  if (staleChains.length > 0) {
    // The flush above emptied them and no map element points at them any more. Deleting them is
    // housekeeping: on failure they stay empty and the next apply tries again, as kube-proxy does.
    await runInNetns(netns, ['nft', '-f', '-'], { stdin: staleChains.map((c) => `delete chain ${NFT_TABLE} ${c}`).join('\n') + '\n' })
  }
}

/** Per endpoint name, the connections its decision counter saw; {} when the table does not exist. */
export async function readNftablesCounters(netns: string): Promise<Record<string, number>> {
  const items = (await listTable(netns, 'counters table')) ?? []
  const out: Record<string, number> = {}
  for (const { counter } of items) {
    if (counter !== undefined && counter.name.startsWith(NFT_DECISION_COUNTER_PREFIX)) out[counter.name.slice(NFT_DECISION_COUNTER_PREFIX.length)] = counter.packets
  }
  return out
}

/** Deletes the kube-proxy table (kube-proxy's `CleanupLeftovers`); nothing to do when it is not there. */
export async function clearNftables(netns: string): Promise<void> {
  const r = await runInNetns(netns, ['nft', 'delete', 'table', ...NFT_TABLE.split(' ')])
  if (r.code !== 0 && !NO_TABLE.test(r.stderr)) throw new HarnessError(KERNEL_RULES_ERROR_CODE, `deleting nftables table ${NFT_TABLE} in netns "${netns}": ${r.stderr.trim()}`)
}
