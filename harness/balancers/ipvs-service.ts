/**
 * One node's IPVS virtual service for the Service: what kube-proxy's ipvs proxier programs on the
 * node and the node's kernel then does. Around the scheduler (rr … mh, which picks among the real
 * servers) it keeps:
 * - the real servers in the kernel's list order. Each sync, kube-proxy adds the endpoints it does
 *   not have yet in the iteration order of a Go set (pkg/proxy/ipvs/proxier.go `syncEndpoint`,
 *   `newEndpoints.UnsortedList()` since kubernetes#121744, v1.30: a random order, here seeded per
 *   node), and the kernel puts each new one at the head of the list (ip_vs_ctl.c
 *   `__ip_vs_update_dest`, `list_add_rcu`). The first update is taken as the pods becoming ready
 *   one after another, one sync each (what every node sees of a Deployment coming up), so every
 *   node's list starts as the reverse of that order; endpoints that arrive together later are
 *   added in each node's own random order. The order decides where rr starts, which server wins
 *   lc's ties, and how sh, dh and mh fill their tables;
 * - the node's connection table (conn-count.ts), which lc, wlc, sed and nq read;
 * - graceful termination (pkg/proxy/ipvs/graceful_termination.go): an endpoint that leaves is not
 *   deleted but set to weight 0 (`GracefulDeleteRS`), unless it has no active and no inactive
 *   connection then; a loop every minute (`rsCheckDeleteInterval`, from kube-proxy's start)
 *   deletes it once both are 0 (`deleteRsFunc`); one that comes back while waiting is deleted and
 *   added again (`MoveRSOutofGracefulDeleteList`, then `AddRealServer`: to the list head). While
 *   at weight 0 every scheduler skips it, and sh and mh keep its buckets or slots, so its clients
 *   get no real server: `ip_vs_leave` (ip_vs_core.c) answers ICMP port unreachable, a refused
 *   connection (unless `sh-fallback` / `mh-fallback`). Only its deletion rebuilds the table;
 * - ClientIP persistence (ipvs-persistence.ts).
 */
import { weightOf, type Balancer, type ConnTable, type PickContext } from './types.ts'
import { createPersistenceTable } from './ipvs-persistence.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** How often kube-proxy retries deleting real servers at weight 0, ms (graceful_termination.go `rsCheckDeleteInterval`). */
export const RS_CHECK_DELETE_INTERVAL_MS = 60_000

/** Options for {@link createIpvsService}. */
export interface IpvsServiceOptions {
  /** The scheduler, made over `conns` (it reads the table; the service opens and closes entries). */
  scheduler: Balancer
  conns: ConnTable
  /** Clock, ms. */
  now: () => number
  /** Order in which kube-proxy adds endpoints that arrive in one sync (Go set iteration), seeded per node. */
  rng: () => number
  /** sessionAffinity ClientIP: the persistence timeout, seconds; null for None. */
  persistenceSeconds: number | null
}

/** A real server in the kernel's list. */
export interface RealServer {
  ep: Endpoint
  /** Weight 0, waiting to be deleted (graceful termination). */
  terminating: boolean
}

/** A node's IPVS virtual service: a Balancer, and the real servers it lists. */
export interface IpvsService extends Balancer {
  /** The real servers in the kernel's list order (head first), with the weight each has there. */
  realServers(): { name: string; weight: number }[]
}

function shuffled<T>(xs: readonly T[], rng: () => number): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[a[i], a[j]] = [a[j] as T, a[i] as T]
  }
  return a
}

/** A node's IPVS virtual service, empty until the first `update` (kube-proxy's first sync). */
export function createIpvsService(opts: IpvsServiceOptions): IpvsService {
  const { scheduler, conns, now } = opts
  let list: RealServer[] = []
  let synced = false
  let nextCheckMs = now() + RS_CHECK_DELETE_INTERVAL_MS
  const persistence = opts.persistenceSeconds === null ? null : createPersistenceTable(opts.persistenceSeconds, now)
  const entries = (ep: Endpoint, atMs: number) => conns.active(ep) + conns.inactive(ep, atMs)
  const asListed = (rs: RealServer): Endpoint => (rs.terminating ? { ...rs.ep, weight: 0 } : rs.ep)
  const program = () => scheduler.update(list.map(asListed))
  // The graceful-termination loop's runs up to now, each at its own time (entries lapse in between).
  const advance = () => {
    const t = now()
    while (nextCheckMs <= t) {
      const at = nextCheckMs
      const before = list.length
      list = list.filter((rs) => !rs.terminating || entries(rs.ep, at) > 0)
      if (list.length !== before) program()
      nextCheckMs += RS_CHECK_DELETE_INTERVAL_MS
    }
  }
  const usable = (name: string) => list.some((rs) => rs.ep.name === name && !rs.terminating && weightOf(rs.ep) > 0)
  return {
    name: scheduler.name,
    pick(ctx: PickContext) {
      advance()
      const pinned = persistence?.hit(ctx.clientIp, usable)
      const ep = pinned !== undefined ? list.find((rs) => rs.ep.name === pinned)?.ep : scheduler.pick(ctx)
      if (ep === undefined) return undefined
      conns.open(ep)
      if (pinned === undefined) persistence?.create(ctx.clientIp, ep.name)
      return ep
    },
    release(ep, end) {
      advance()
      const lapse = conns.close(ep, end)
      if (end?.clientIp !== undefined) persistence?.closed(end.clientIp, ep.name, lapse)
    },
    update(endpoints) {
      advance()
      const want = new Map(endpoints.map((e) => [e.name, e]))
      const byName = new Map(list.map((rs) => [rs.ep.name, rs]))
      let changed = false
      // Create new endpoints: the missing ones, and those waiting for deletion (deleted, then added).
      const adds = endpoints.filter((e) => byName.get(e.name)?.terminating !== false)
      for (const e of synced ? shuffled(adds, opts.rng) : adds) {
        list = [{ ep: e, terminating: false }, ...list.filter((rs) => rs.ep.name !== e.name)]
        changed = true
      }
      // Endpoints still listed take their new settings in place (UpdateRealServer).
      for (const rs of list) {
        const e = want.get(rs.ep.name)
        if (e !== undefined && !rs.terminating && (weightOf(e) !== weightOf(rs.ep) || e.address !== rs.ep.address || e.port !== rs.ep.port)) {
          rs.ep = e
          changed = true
        }
      }
      // Delete old endpoints, gracefully: at once only with no entry left.
      const t = now()
      list = list.filter((rs) => {
        if (want.has(rs.ep.name) || rs.terminating) return true
        changed = true
        if (entries(rs.ep, t) === 0) return false
        rs.terminating = true
        return true
      })
      synced = true
      if (changed) program()
    },
    realServers() {
      advance()
      return list.map((rs) => ({ name: rs.ep.name, weight: weightOf(asListed(rs)) }))
    },
  }
}
