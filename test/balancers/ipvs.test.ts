/**
 * The IPVS model against the kernel's and kube-proxy's descriptions, worked by hand for small
 * cases: connection entries and their states (ip_vs_proto_tcp.c), lc/wlc/sed/nq costs, the rr
 * pointer and wrr's current weight across list changes, the kernel list order, graceful
 * termination (pkg/proxy/ipvs/graceful_termination.go) and persistence templates (ip_vs_conn.c).
 */
import { describe, expect, it } from 'vitest'
import { createConnTable, entryExpiryMs, TCP_CLOSE_MS, TCP_TIME_WAIT_MS } from '../../harness/balancers/conn-count.ts'
import { createBalancer } from '../../harness/balancers/registry.ts'
import { createRoundRobin } from '../../harness/balancers/round-robin.ts'
import { createWeightedRoundRobin } from '../../harness/balancers/weighted-round-robin.ts'
import { createIpvsService, RS_CHECK_DELETE_INTERVAL_MS } from '../../harness/balancers/ipvs-service.ts'
import { createKubeProxyBalancer } from '../../harness/balancers/kube-proxy.ts'
import { withSessionAffinity } from '../../harness/balancers/session-affinity.ts'
import type { Balancer, ConnectionEnd } from '../../harness/balancers/types.ts'
import { createRng } from '../../harness/util/rng.ts'
import { KERNEL_IPVS_TIMEOUTS, type AlgorithmName, type Endpoint } from '../../harness/model/kube-proxy.ts'

const eps = (n: number, weights?: number[]): Endpoint[] =>
  Array.from({ length: n }, (_, i) => ({ name: `pod-${i + 1}`, address: `127.9.2.${i + 1}`, port: 8080, node: 'node-a', weight: weights?.[i] ?? 1 }))
const ctx = (clientIp = '127.9.128.1', clientPort = 40000) => ({ clientIp, clientPort, localIp: '127.9.1.1' })
const client = (k: number) => `127.9.${128 + Math.floor(k / 250)}.${(k % 250) + 1}`
const fin: ConnectionEnd = { how: 'fin' }

/** A clock the test moves. */
function clock(start = 0) {
  let t = start
  return { now: () => t, at: (ms: number) => void (t = ms) }
}

/** Sequential short connections: pick, then close with `end`; the pods picked. */
function serial(b: Balancer, n: number, end: ConnectionEnd = fin): string[] {
  return Array.from({ length: n }, () => {
    const ep = b.pick(ctx()) as Endpoint
    b.release(ep, end)
    return ep.name
  })
}

describe('entryExpiryMs (ip_vs_proto_tcp.c tcp_states, tcp_timeouts)', () => {
  // Closed at t = 1000 s. tcpFinTimeout 2 s here (kube-proxy's ipvs.tcpFinTimeout) to show where it applies.
  const t = 1_000_000
  const short = { tcpFinMs: 2000 }
  it.each([
    ['a RST: ESTABLISHED → CLOSE, 10 s', { how: 'reset' }, t + 10_000],
    ['a FIN each way at once: → TIME_WAIT, 2 min', { how: 'fin' }, t + 120_000],
    // OUTPUT fin: ESTABLISHED → FIN_WAIT (2 s here); INPUT fin 1 s later: FIN_WAIT → TIME_WAIT, 2 min.
    ['the pod first, the client 1 s later: TIME_WAIT from the close', { how: 'fin', firstFin: { side: 'pod', msBeforeClose: 1000 } }, t + 120_000],
    // The client's FIN 5 s after the pod's: the FIN_WAIT entry lapsed 2 s after the pod's FIN, 3 s before the close.
    ['the pod first, the client 5 s later: lapsed in FIN_WAIT', { how: 'fin', firstFin: { side: 'pod', msBeforeClose: 5000 } }, t - 3000],
    // INPUT fin: ESTABLISHED → CLOSE_WAIT (60 s, not settable); the pod's FIN 30 s later: → TIME_WAIT.
    ['the client first, the pod 30 s later: TIME_WAIT (tcpFinTimeout does not apply)', { how: 'fin', firstFin: { side: 'client', msBeforeClose: 30_000 } }, t + 120_000],
    ['the client first, the pod 70 s later: lapsed in CLOSE_WAIT after 60 s', { how: 'fin', firstFin: { side: 'client', msBeforeClose: 70_000 } }, t - 10_000],
  ] as const)('%s', (_name, end, lapse) => {
    expect(entryExpiryMs(end as ConnectionEnd, t, short)).toBe(lapse)
  })
  it('the kernel default tcpFinTimeout is 2 min and TIME_WAIT is 2 min whatever it is', () => {
    expect(KERNEL_IPVS_TIMEOUTS.tcpFinMs).toBe(120_000)
    expect(TCP_TIME_WAIT_MS).toBe(120_000)
    expect(TCP_CLOSE_MS).toBe(10_000)
  })
})

describe('createConnTable', () => {
  it('keeps a closed connection inactive until its entry lapses; a finished L7 request leaves nothing', () => {
    const c = clock()
    const t = createConnTable({ now: c.now })
    const [a] = eps(1) as [Endpoint]
    t.open(a)
    t.open(a)
    t.open(a)
    expect([t.active(a), t.inactive(a), t.overhead(a)]).toEqual([3, 0, 3 << 8])
    t.close(a, fin) // TIME_WAIT until 120 s
    c.at(5000)
    t.close(a, { how: 'reset' }) // CLOSE until 15 s
    t.close(a) // an L7 request
    // (0 << 8) + 2: ip_vs_dest_conn_overhead counts the two entries that stay.
    expect([t.active(a), t.inactive(a), t.overhead(a)]).toEqual([0, 2, 2])
    c.at(15_000)
    expect(t.inactive(a)).toBe(1) // the CLOSE entry lapsed at 15 s
    c.at(120_000)
    expect(t.inactive(a)).toBe(0)
  })
})

describe('lc, wlc, sed and nq with sequential short connections (keepAlive false, one at a time)', () => {
  it('lc rotates: each closed connection leaves a TIME_WAIT entry, and the fewest entries win, ties to the first', () => {
    const c = clock()
    const b = createBalancer('least-conn', { rng: createRng(1), now: c.now })
    b.update(eps(3))
    // Costs (active << 8) + inactive before each pick: (0,0,0) → pod-1; (1,0,0) → pod-2; (1,1,0) → pod-3; (1,1,1) → pod-1 …
    expect(serial(b, 6)).toEqual(['pod-1', 'pod-2', 'pod-3', 'pod-1', 'pod-2', 'pod-3'])
    // 2 min later every entry has lapsed: all at 0 again, so the first in list order.
    c.at(TCP_TIME_WAIT_MS)
    expect(serial(b, 1)).toEqual(['pod-1'])
  })
  it('an active connection weighs 256 inactive ones', () => {
    const b = createBalancer('least-conn', { rng: createRng(1) })
    b.update(eps(2))
    const held = b.pick(ctx()) as Endpoint // pod-1 held open: cost 256
    expect(held.name).toBe('pod-1')
    // pod-2's cost grows by one per closed connection: 0, 1, … 255 < 256, then 256 = 256 → the first (pod-1).
    const picks = serial(b, 257)
    expect(picks.slice(0, 256).every((p) => p === 'pod-2')).toBe(true)
    expect(picks[256]).toBe('pod-1')
  })
  it('wlc: the smallest (entries)/weight; weights 3 and 1', () => {
    const b = createBalancer('weighted-least-conn', { rng: createRng(1) })
    b.update(eps(2, [3, 1]))
    // Entries before each pick (pod-1, pod-2) and the comparison pod-1·1 > pod-2·3:
    // (0,0): 0 > 0 no → pod-1; (1,0): 1 > 0 → pod-2; (1,1): 1 > 3 no → pod-1; (2,1): 2 > 3 no → pod-1;
    // (3,1): 3 > 3 no → pod-1; (4,1): 4 > 3 → pod-2; (4,2): 4 > 6 no → pod-1.
    expect(serial(b, 7)).toEqual(['pod-1', 'pod-2', 'pod-1', 'pod-1', 'pod-1', 'pod-2', 'pod-1'])
  })
  it('sed and nq count active connections only: every sequential connection goes to the same pod', () => {
    for (const a of ['shortest-expected-delay', 'never-queue'] as const) {
      const b = createBalancer(a, { rng: createRng(1) })
      b.update(eps(3))
      // (0 + 1)/1 everywhere (sed), or everyone idle (nq): the first in list order, every time.
      expect(serial(b, 5)).toEqual(['pod-1', 'pod-1', 'pod-1', 'pod-1', 'pod-1'])
    }
  })
})

describe('rr (ip_vs_rr.c): a pointer into the full list', () => {
  it('quiescing a server keeps the others’ turns: the walk steps over it', () => {
    const b = createRoundRobin()
    const three = eps(3)
    b.update(three)
    expect([b.pick(ctx())?.name, b.pick(ctx())?.name]).toEqual(['pod-1', 'pod-2'])
    // pod-2 to weight 0: the pointer stays on pod-2, the walk goes on to pod-3, then wraps to pod-1.
    // (An index into the list of available servers, [pod-1, pod-3] at 2 mod 2 = 0, would say pod-1.)
    b.update(three.map((e) => (e.name === 'pod-2' ? { ...e, weight: 0 } : e)))
    expect([b.pick(ctx())?.name, b.pick(ctx())?.name, b.pick(ctx())?.name]).toEqual(['pod-3', 'pod-1', 'pod-3'])
  })
  it('a deleted server hands the pointer to the one before it (ip_vs_rr_del_dest), so the rotation goes on', () => {
    const b = createRoundRobin()
    const three = eps(3)
    b.update(three)
    b.pick(ctx())
    b.pick(ctx()) // pointer on pod-2
    b.update(three.filter((e) => e.name !== 'pod-2')) // pointer → pod-1: next is pod-3
    expect([b.pick(ctx())?.name, b.pick(ctx())?.name]).toEqual(['pod-3', 'pod-1'])
  })
  it('servers added at the head come after the wrap; with no server before the deleted one, the last added takes the pointer', () => {
    const b = createRoundRobin()
    const [p1, p2, p3, p4] = eps(4) as [Endpoint, Endpoint, Endpoint, Endpoint]
    b.update([p1, p2, p3])
    expect(b.pick(ctx())?.name).toBe('pod-1')
    // kube-proxy adds pod-4 first (the kernel list is then [pod-4, pod-1, pod-2, pod-3]), then deletes
    // pod-1: the entry before it is pod-4, so the walk goes on with pod-2.
    b.update([p4, p2, p3])
    expect([b.pick(ctx())?.name, b.pick(ctx())?.name, b.pick(ctx())?.name]).toEqual(['pod-2', 'pod-3', 'pod-4'])
  })
})

describe('wrr (ip_vs_wrr.c): on a change the position resets, the current weight is kept', () => {
  it('weights 4, 2, 6: after two picks cw = 3; adding a server keeps cw 3, so the next pass starts at weight ≥ 3', () => {
    const b = createWeightedRoundRobin()
    const four = eps(4, [4, 2, 6, 2])
    b.update(four.slice(0, 3))
    // di = gcd = 2, mw = 6 − (2 − 1) = 5: cw = 5 → pod-3 (6 ≥ 5); end of list, cw = 3 → pod-1 (4 ≥ 3).
    expect([b.pick(ctx())?.name, b.pick(ctx())?.name]).toEqual(['pod-3', 'pod-1'])
    // ip_vs_wrr_dest_changed: position → list head, di = 2, mw = 5; cw = 3 ≤ mw: (3 / 2)·2 + 1 = 3.
    // From the head at cw = 3: pod-1 (4), pod-3 (6); then cw = 1: pod-1, pod-2, pod-3, pod-4.
    // (Resetting cw as well would start again at cw = 5 with pod-3.)
    b.update(four)
    expect(Array.from({ length: 6 }, () => b.pick(ctx())?.name)).toEqual(['pod-1', 'pod-3', 'pod-1', 'pod-2', 'pod-3', 'pod-4'])
  })
})

/** A node's IPVS service over `algorithm` with the identity add order (rng 0.999… keeps Fisher-Yates' order). */
function service(algorithm: AlgorithmName, c: ReturnType<typeof clock>, persistenceSeconds: number | null = null, flags = {}) {
  const conns = createConnTable({ now: c.now })
  const scheduler = createBalancer(algorithm, { rng: createRng(1), conns, flags })
  return createIpvsService({ scheduler, conns, now: c.now, rng: () => 0.999999, persistenceSeconds })
}

describe('createIpvsService: the kernel list order', () => {
  it('adds each new real server at the head (list_add_rcu): the list is the reverse of the order kube-proxy added them', () => {
    const c = clock()
    const s = service('round-robin', c)
    const [p1, p2, p3, p4] = eps(4) as [Endpoint, Endpoint, Endpoint, Endpoint]
    s.update([p1, p2, p3])
    expect(s.realServers().map((r) => r.name)).toEqual(['pod-3', 'pod-2', 'pod-1'])
    // rr starts at the head of the list: pod-3.
    expect(s.pick(ctx())?.name).toBe('pod-3')
    s.update([p1, p2, p3, p4])
    expect(s.realServers().map((r) => r.name)).toEqual(['pod-4', 'pod-3', 'pod-2', 'pod-1'])
  })
  it('every node starts from the pods becoming ready one by one; endpoints arriving together later go in each node’s own order (Go set iteration)', () => {
    const starts = new Set<string>()
    const later = new Set<string>()
    const six = eps(6)
    for (let seed = 1; seed <= 8; seed++) {
      const b = createKubeProxyBalancer({ mode: 'ipvs', algorithm: 'round-robin', flags: {}, seed, hashSeed: 1, affinityTimeoutSeconds: null, timeouts: KERNEL_IPVS_TIMEOUTS, now: () => 0 })
      b.update(six.slice(0, 3))
      starts.add(b.realServers!().map((r) => r.name).join(','))
      b.update(six) // pod-4, pod-5 and pod-6 in one sync
      later.add(b.realServers!().map((r) => r.name).slice(0, 3).join(','))
    }
    expect([...starts]).toEqual(['pod-3,pod-2,pod-1'])
    expect(later.size).toBeGreaterThan(1)
  })
})

describe('createIpvsService: graceful termination (kube-proxy GracefulDeleteRS, deleteRsFunc every minute)', () => {
  const clients = Array.from({ length: 400 }, (_, k) => client(k))
  it('sh: a removed pod with a connection stays at weight 0, its clients refused and everyone else kept, until its entries are gone at a check', () => {
    const c = clock()
    const s = service('ip-hash', c)
    const four = eps(4)
    s.update(four)
    const before = clients.map((cl) => s.pick(ctx(cl))?.name)
    const onPod4 = clients.find((_, k) => before[k] === 'pod-4') as string
    // Every pick above opened an entry; close them all but one of pod-4's (reset: CLOSE, 10 s).
    clients.forEach((cl, k) => {
      if (cl !== onPod4) s.release({ ...(four.find((e) => e.name === before[k]) as Endpoint) }, { how: 'reset' })
    })
    c.at(1000)
    s.update(four.slice(0, 3)) // pod-4 leaves the endpoints: it has an active entry, so weight 0
    expect(s.realServers().find((r) => r.name === 'pod-4')?.weight).toBe(0)
    const during = clients.map((cl) => s.pick(ctx(cl))?.name)
    clients.forEach((_, k) => expect(during[k]).toBe(before[k] === 'pod-4' ? undefined : before[k]))
    // Close everything; pod-4's last connection with a FIN each way at 2 s: TIME_WAIT until 122 s.
    c.at(2000)
    clients.forEach((cl, k) => during[k] !== undefined && s.release(four.find((e) => e.name === during[k]) as Endpoint, { how: 'reset' }))
    s.release(four[3] as Endpoint, { how: 'fin' })
    // Checks at 60 s (entry alive) and 120 s (lapses at 122 s) keep it; the one at 180 s deletes it.
    c.at(3 * RS_CHECK_DELETE_INTERVAL_MS - 1)
    expect(s.pick(ctx(onPod4))).toBeUndefined()
    c.at(3 * RS_CHECK_DELETE_INTERVAL_MS)
    expect(s.realServers().map((r) => r.name)).not.toContain('pod-4')
    // Now the table is rebuilt over three servers: pod-4's clients get one, and most others move.
    const after = clients.map((cl) => s.pick(ctx(cl))?.name)
    expect(after.every((p) => p !== undefined && p !== 'pod-4')).toBe(true)
    const moved = clients.filter((_, k) => before[k] !== 'pod-4' && after[k] !== before[k]).length
    expect(moved).toBeGreaterThan(clients.length / 3)
  })
  it('a removed pod with no entry is deleted at once; one that comes back while at weight 0 is deleted and added again at the head', () => {
    const c = clock()
    const s = service('round-robin', c)
    const three = eps(3)
    s.update(three) // list pod-3, pod-2, pod-1
    const ep = s.pick(ctx()) as Endpoint // pod-3, held open
    expect(ep.name).toBe('pod-3')
    s.update(three.slice(0, 1)) // pod-2 (no entry) goes at once; pod-3 waits at weight 0
    expect(s.realServers()).toEqual([{ name: 'pod-3', weight: 0 }, { name: 'pod-1', weight: 1 }])
    s.update(three.filter((e) => e.name !== 'pod-2'))
    expect(s.realServers()).toEqual([{ name: 'pod-3', weight: 1 }, { name: 'pod-1', weight: 1 }])
  })
})

describe('createIpvsService: ClientIP persistence (ip_vs_sched_persist, ip_vs_conn_expire)', () => {
  it('a template outlives its timeout while it controls connections, then checks every 60 s', () => {
    const c = clock()
    const s = service('round-robin', c, 1) // sessionAffinity timeoutSeconds: 1
    s.update(eps(3)) // list pod-3, pod-2, pod-1
    const first = s.pick(ctx('127.9.128.1')) as Endpoint // a new template → pod-3
    expect(first.name).toBe('pod-3')
    expect(s.pick(ctx('127.9.128.2'))?.name).toBe('pod-2') // another client, another template
    // 3 s later (timeout 1 s) the first connection is still open: the timer fired at 1 s, found it
    // controlling a connection, and waits 60 s more (until 61 s), its timeout now 60 s.
    c.at(3000)
    expect(s.pick(ctx('127.9.128.1'))?.name).toBe('pod-3') // restarts the timer: 3 s + 60 s
    c.at(4000)
    s.release(first, { how: 'fin', clientIp: '127.9.128.1' })
    s.release(first, { how: 'fin', clientIp: '127.9.128.1' }) // TIME_WAIT until 124 s
    // At 63 s nothing is open, but two TIME_WAIT entries are: kept until 123 s; at 123 s they still are
    // (124 s): kept until 183 s, when it lapses.
    c.at(182_000)
    expect(s.pick(ctx('127.9.128.1'))?.name).toBe('pod-3')
  })
  it('lapses at its timeout once nothing it controls is left: the next connection is scheduled afresh', () => {
    const c = clock()
    const s = service('round-robin', c, 1)
    s.update(eps(3))
    const first = s.pick(ctx('127.9.128.1')) as Endpoint
    s.release(first, { how: 'request', clientIp: '127.9.128.1' }) // an L7 request: nothing stays
    c.at(1000) // the timer fires at 1 s with nothing to control
    expect(s.pick(ctx('127.9.128.1'))?.name).toBe('pod-2') // rr's next
  })
  it('a template whose pod went to weight 0 is invalid (expire_quiescent_template = 1): the client moves', () => {
    const c = clock()
    const s = service('round-robin', c, 10_800)
    const three = eps(3)
    s.update(three)
    const first = s.pick(ctx('127.9.128.1')) as Endpoint
    expect(first.name).toBe('pod-3')
    s.update(three.slice(0, 2)) // pod-3 leaves with an open connection: weight 0
    expect(s.pick(ctx('127.9.128.1'))?.name).toBe('pod-2')
  })
  it('iptables-style affinity (recent --seconds) forgets the same client after the timeout, whatever is open', () => {
    const c = clock()
    const b = withSessionAffinity(createBalancer('round-robin', { rng: createRng(1) }), { timeoutSeconds: 1, now: c.now })
    b.update(eps(3))
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-1')
    c.at(3000)
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-2')
  })
  it('iptables-style affinity is bypassed on a userspace re-dial (sessionAffinityReset)', () => {
    const b = withSessionAffinity(createBalancer('userspace', { rng: createRng(1) }), { timeoutSeconds: 10, now: () => 0 })
    b.update(eps(3))
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-1')
    expect(b.pick({ ...ctx('127.9.128.1'), attempt: 1 })?.name).toBe('pod-2')
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-2') // the re-dial's pick is the client's entry now
  })
})
