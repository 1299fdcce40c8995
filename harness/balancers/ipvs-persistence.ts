/**
 * IPVS persistence (`ipvsadm -p <timeout>`), which is what kube-proxy's ipvs proxier makes of
 * `sessionAffinity: ClientIP` (pkg/proxy/ipvs/proxier.go sets `FlagPersistent` and
 * `Timeout = StickyMaxAgeSeconds` on the virtual server). Not iptables' `recent` match: a client
 * address gets a connection template that sends its connections to one real server, and the
 * template cannot lapse while connections it controls exist.
 *
 * From net/netfilter/ipvs:
 * - ip_vs_core.c `ip_vs_sched_persist`: a valid template found → its real server, the scheduler is
 *   not asked; otherwise the scheduler picks and a template is made with `timeout = svc->timeout`;
 *   every connection made under it is controlled by it (`ip_vs_control_add`), and `ip_vs_conn_put`
 *   restarts its timer at `timeout` from now.
 * - ip_vs_conn.c `ip_vs_check_template`: a template whose real server is gone, or at weight 0
 *   (kube-proxy sets `net/ipv4/vs/expire_quiescent_template` = 1), is invalidated: the client is
 *   scheduled afresh.
 * - ip_vs_conn.c `ip_vs_conn_expire`: when the timer fires and the template still controls
 *   connection entries (active ones, and closed ones not lapsed: TIME_WAIT lasts 2 min), it is
 *   kept and its timeout set to 60 s (`expire_later`); the found-template path never sets it back,
 *   so from then on each new connection restarts it at 60 s.
 */

/** How long a template that still controls connections waits before the next try, ms (ip_vs_conn.c `expire_later`). */
export const TEMPLATE_RECHECK_MS = 60_000

interface Template {
  dest: string
  timeoutMs: number
  timerAtMs: number
  /** Open connections it controls. */
  active: number
  /** When the last of its closed connections' entries lapses, ms. */
  inactiveUntilMs: number
}

/** One node's persistence templates, per client address (the default /32 netmask). */
export interface PersistenceTable {
  /** The real server of this client's valid template, its timer restarted and one more connection counted; undefined when there is none. */
  hit(clientIp: string, usable: (dest: string) => boolean): string | undefined
  /** The scheduler placed a new connection of this client on `dest`: a new template. */
  create(clientIp: string, dest: string): void
  /** A connection of this client to `dest` ended; its entry lapses at `lapseMs` (null: none stays). */
  closed(clientIp: string, dest: string, lapseMs: number | null): void
}

/** Templates with `timeoutSeconds` (sessionAffinityConfig.clientIP.timeoutSeconds) on the clock `now` (ms). */
export function createPersistenceTable(timeoutSeconds: number, now: () => number): PersistenceTable {
  const templates = new Map<string, Template>()
  // The timer's firings up to `t`: lapses once it controls nothing, else waits 60 s more. Nothing it
  // counts changes between two calls for its client, so firings in between see the counts as they are.
  const live = (clientIp: string, t: number): Template | undefined => {
    const tpl = templates.get(clientIp)
    if (tpl === undefined) return undefined
    while (tpl.timerAtMs <= t) {
      if (tpl.active === 0 && tpl.inactiveUntilMs <= tpl.timerAtMs) {
        templates.delete(clientIp)
        return undefined
      }
      tpl.timeoutMs = TEMPLATE_RECHECK_MS
      tpl.timerAtMs += TEMPLATE_RECHECK_MS
    }
    return tpl
  }
  return {
    hit(clientIp, usable) {
      const t = now()
      const tpl = live(clientIp, t)
      if (tpl === undefined) return undefined
      if (!usable(tpl.dest)) {
        templates.delete(clientIp) // invalidated: its connections go on, no new one follows it
        return undefined
      }
      tpl.timerAtMs = t + tpl.timeoutMs
      tpl.active++
      return tpl.dest
    },
    create(clientIp, dest) {
      const t = now()
      templates.set(clientIp, { dest, timeoutMs: timeoutSeconds * 1000, timerAtMs: t + timeoutSeconds * 1000, active: 1, inactiveUntilMs: -Infinity })
    },
    closed(clientIp, dest, lapseMs) {
      const tpl = live(clientIp, now())
      if (tpl === undefined || tpl.dest !== dest) return // a connection of an older, invalidated template
      tpl.active = Math.max(0, tpl.active - 1)
      if (lapseMs !== null) tpl.inactiveUntilMs = Math.max(tpl.inactiveUntilMs, lapseMs)
    },
  }
}
