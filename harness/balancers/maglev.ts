import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { hash32 } from '../util/hash.ts'
import { ipv4ToInt } from '../util/ip.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createMaglev}; `flags.hashPort` is `mh-port`, `flags.fallback` is `mh-fallback`. */
export type MaglevOptions = Partial<BalancerOptions>

/** Lookup table size: 4093, the prime IPVS uses by default (CONFIG_IP_VS_MH_TAB_INDEX = 12). */
export const MH_TAB_SIZE = 4093

/** IP_VS_MH_TAB_BITS (CONFIG_IP_VS_MH_TAB_INDEX / 2): weight/gcd is shifted down to this many bits. */
const MH_TAB_BITS = 6

// The kernel's hsiphash keys are constants (generate_hash_secret in ip_vs_mh.c sets them once, to
// these values), not random: every node, and every service, builds the same table from the same
// destination list in the same order. (The population takes turns in list order: nodes whose
// kube-proxy added the same endpoints in another order, ipvs-service.ts, differ in the slots where
// two destinations compete.) svcbench hashes with FNV-1a/fmix32 (util/hash.ts)
// instead of hsiphash, keyed by these constants xor the run's hash seed (the same on every node of
// a variant): the slots differ from the kernel's, the properties not.
const HASH1_KEY = 2654435761
const HASH2_KEY = 2654446892

/** One destination as ip_vs_mh_permutate sets it up: preference list offset, offset + skip, … (mod M). */
export interface MaglevDest {
  /** First preferred slot, in [0, M). */
  offset: number
  /** Step between preferred slots, in [1, M − 1]. */
  skip: number
  /** Slots claimed per round (0: none). */
  turns: number
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/**
 * The slot of a client (`port` 0 without mh-port) at a fallback `offset`, in a table of
 * MH_TAB_SIZE: ip_vs_mh_hashkey with the first key, mod the size (ip_vs_mh_get).
 */
export function mhSlot(clientIp: string, port: number, offset: number, seed: number): number {
  return mhHashkey(clientIp, port, offset, HASH1_KEY, seed) % MH_TAB_SIZE
}

/**
 * ip_vs_mh_hashkey: the hash of the 32-bit sum offset + port + address (IPv6 folded by xor of its
 * words, as IPVS folds it) under `key`; offset is 0 except when mh-fallback rehashes.
 */
function mhHashkey(address: string, port: number, offset: number, key: number, seed: number): number {
  const v = (offset + port + ipv4ToInt(address)) >>> 0
  return hash32(String.fromCharCode(v >>> 16, v & 0xffff), (key ^ seed) >>> 0)
}

/**
 * Slots each destination claims per round, as ip_vs_mh_permutate sets `turns`: (w / gcd) >> rshift,
 * or 1 where that is 0 but w is not; 0 for w = 0. gcd is over the non-zero weights
 * (ip_vs_mh_gcd_weight); rshift brings the largest w / gcd down to MH_TAB_BITS bits
 * (ip_vs_mh_shift_weight). The kernel passes each destination's last_weight.
 */
export function maglevTurns(weights: readonly number[]): number[] {
  const g = weights.filter((w) => w > 0).reduce((a, b) => gcd(a, b), 0)
  if (g < 1) return weights.map(() => 0)
  const fls = (x: number) => 32 - Math.clz32(x)
  const rshift = Math.max(0, fls(Math.floor(Math.max(...weights) / g)) - MH_TAB_BITS)
  return weights.map((w) => Math.floor(w / g) >> rshift || (w > 0 ? 1 : 0))
}

/**
 * The Maglev lookup table as ip_vs_mh_populate fills it (Eisenbud et al., NSDI 2016, §3.4):
 * destinations take turns in list order, each claiming `turns` slots per round, every claim its
 * next preferred slot not yet taken, until all `size` slots are taken. Returns the index into
 * `dests` of each slot's destination; all undefined when no destination has a turn.
 */
export function populateMaglev(dests: readonly MaglevDest[], size = MH_TAB_SIZE): (number | undefined)[] {
  const table = new Array<number | undefined>(size).fill(undefined)
  if (!dests.some((d) => d.turns > 0)) return table
  const perm = dests.map((d) => d.offset)
  let filled = 0
  for (;;) {
    for (let i = 0; i < dests.length; i++) {
      const d = dests[i] as MaglevDest
      for (let t = 0; t < d.turns; t++) {
        let c = perm[i] as number
        while (table[c] !== undefined) c = (c + d.skip) % size
        perm[i] = c
        table[c] = i
        if (++filled === size) return table
      }
    }
  }
}

/** Options of {@link buildMaglevTable}. */
export interface MaglevTableOptions {
  /** Table size, a prime. @default MH_TAB_SIZE */
  size?: number
  /** The weight that sets an endpoint's slots (the kernel's last_weight). @default the endpoint's weight */
  slotWeight?: (ep: Endpoint) => number
}

/**
 * The lookup table over `endpoints` (in list order), each endpoint's preference list hashed from its
 * address and port (offset with the first key, skip with the second, as ip_vs_mh_permutate).
 * `seed` is the run's hash seed: the same seed, the same table on every node.
 */
export function buildMaglevTable(endpoints: readonly Endpoint[], seed = 0, opts: MaglevTableOptions = {}): (Endpoint | undefined)[] {
  const size = opts.size ?? MH_TAB_SIZE
  const turns = maglevTurns(endpoints.map(opts.slotWeight ?? weightOf))
  const dests = endpoints.map((ep, i) => ({
    offset: mhHashkey(ep.address, ep.port, 0, HASH1_KEY, seed) % size,
    skip: (mhHashkey(ep.address, ep.port, 0, HASH2_KEY, seed) % (size - 1)) + 1,
    turns: turns[i] as number,
  }))
  return populateMaglev(dests, size).map((i) => (i === undefined ? undefined : endpoints[i]))
}

/**
 * The destination for one client, as ip_vs_mh_get and ip_vs_mh_get_fallback: the endpoint at the
 * client's slot ihash = slotAt(0) if it is available; else, with `fallback` (mh-fallback), the first
 * available one at slotAt(roffset) for roffset = ihash, ihash + 1, … (mod the table size, at most
 * size tries), an empty slot ending the search; else none. Unavailable is weight 0 (the kernel's
 * is_unavailable also counts an overloaded server, which svcbench does not model).
 */
export function mhLookup(table: readonly (Endpoint | undefined)[], slotAt: (offset: number) => number, fallback = false): Endpoint | undefined {
  const available = (ep: Endpoint) => weightOf(ep) > 0
  const ihash = slotAt(0)
  const ep = table[ihash]
  if (ep === undefined || available(ep)) return ep
  if (!fallback) return undefined
  for (let offset = 0; offset < table.length; offset++) {
    const alt = table[slotAt((offset + ihash) % table.length)]
    if (alt === undefined) return undefined
    if (available(alt)) return alt
  }
  return undefined
}

/**
 * IPVS `mh`, Maglev hashing: the source address (and port with `mh-port`) hashes to a slot of the
 * lookup table. Removing one of n endpoints moves its own clients (1/n of all) and very few of the
 * rest: clients of the other endpoints almost all stay where they were (disruption near the 1/n minimum).
 * An endpoint quiesced to weight 0 keeps its slots (the kernel builds the table from last_weight, the
 * latest non-zero weight): without `mh-fallback` its clients get no endpoint (the connection is
 * refused); with it they rehash to other slots, and only they move. An endpoint listed at weight 0
 * from the start has no slots.
 */
export function createMaglev(opts: MaglevOptions = {}): Balancer {
  const seed = opts.seed ?? 0
  const hashPort = opts.flags?.hashPort === true
  const fallback = opts.flags?.fallback === true
  const id = (ep: Endpoint) => `${ep.address}:${ep.port}`
  let table = buildMaglevTable([], seed)
  // dest->last_weight by real server: set when it is added, then on every change to a non-zero
  // weight (__ip_vs_update_dest in ip_vs_ctl.c); forgotten when it leaves the list.
  let lastWeight = new Map<string, number>()
  return {
    name: 'maglev',
    pick(ctx) {
      const port = hashPort ? ctx.clientPort : 0
      return mhLookup(table, (offset) => mhSlot(ctx.clientIp, port, offset, seed), fallback)
    },
    release() {},
    update(next) {
      const last = new Map<string, number>()
      for (const ep of next) last.set(id(ep), weightOf(ep) === 0 ? (lastWeight.get(id(ep)) ?? 0) : weightOf(ep))
      lastWeight = last
      table = buildMaglevTable(next, seed, { slotWeight: (ep) => last.get(id(ep)) ?? 0 })
    },
  }
}
