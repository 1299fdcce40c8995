/**
 * The UDP load executor (registry name `udp`): a UDP Service's queries on the open model's arrival
 * schedule (schedule.ts), fed to the same recorder (recorder.ts) as every executor. A query is one
 * datagram (an 8-byte id and padding, util/udp-query.ts) and its answer one datagram naming the
 * pod; there is no connection to close the loop on, so only the open model applies.
 *
 * - `fixed` source ports: client i has one socket bound to clientAddresses[i] for all its queries
 *   (a resolver's socket: one conntrack entry, one pick, for as long as it lives), sending to
 *   targets[i mod m]; query k comes from client k mod n.
 * - `per-query`: query k opens a socket of its own on clientAddresses[k mod n] (a new source port,
 *   a new flow) to targets[k mod m], closed with its answer or its timeout.
 * - Sockets are not connected: an ICMP port unreachable (a dead pod's) reaches no one, as with a
 *   resolver's unconnected socket, so a query with no answer requestTimeoutMs after it was sent
 *   is lost (a timeout); its latency counts from the intended start, censored at the timeout.
 *   An answer to a query already counted lost is ignored.
 * - One 1 ms tick sends what came due and times out what is overdue; answers send what came due too.
 */
import dgram from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { HarnessError } from '../errors.ts'
import type { LoadResult } from '../model/measurements.ts'
import { answerPod, datagramId, encodeQuery } from '../util/udp-query.ts'
import { checkPlan } from './plan.ts'
import { createLoadRecorder, type LoadRecorder, type ScheduledOutcome } from './recorder.ts'
import { createRunClock, type RunClock } from './schedule.ts'
import { createUdpTally, type UdpTally } from './udp-tally.ts'
import type { UdpFlowRecord } from '../model/measurements.ts'
import { Fifo } from './fifo.ts'
import { errnoKind } from './error-kind.ts'
import type { LoadExecutor, LoadPlan, LoadTarget, OpenPlan, RunningLoad, UdpPlan } from './types.ts'

/** The executor's clock tick, ms. */
export const UDP_TICK_MS = 1

/** One client socket and its flow's record. */
interface Sock {
  sock: dgram.Socket
  client: string
  target: LoadTarget
  /** Fixed source ports: the flow's record (null per query). */
  flow: UdpFlowRecord | null
  /** Per query: closed with its query. */
  own: boolean
}

/** One query under way. Times are performance.now() ms. */
interface Query {
  id: number
  intended: number
  handled: number
  sent: number
  deadline: number
  s: Sock
  done: boolean
}

/** The UDP executor. */
export function createUdpExecutor(): LoadExecutor {
  return { name: 'udp', start: startUdpLoad }
}

/** Start UDP queries on the plan (plan.open and plan.udp required). Throws NOT_LOOPBACK before sending anything off this machine. */
export function startUdpLoad(plan: LoadPlan): RunningLoad {
  checkPlan(plan)
  if (plan.open === undefined || plan.udp === undefined) throw new HarnessError('LOAD_FAILED', 'the udp executor needs plan.open (its schedule) and plan.udp (its queries)')
  const load = new UdpLoad(plan, plan.open, plan.udp)
  return { progress: () => load.recorder.progress(), stop: () => load.stop(), result: load.result }
}

class UdpLoad {
  private readonly clock: RunClock
  readonly recorder: LoadRecorder
  readonly result: Promise<LoadResult>
  private resolve!: (r: LoadResult) => void
  private readonly tally: UdpTally
  private nextAt: number
  private seq = 0
  private readonly idBase = Math.floor(Math.random() * 2 ** 20) * 2 ** 32
  private readonly inFlight = new Map<number, Query>()
  private readonly pending = new Fifo<Query>()
  private readonly fixed: Sock[] = []
  private readonly o: ScheduledOutcome = { intendedAtMs: 0, handledAtMs: 0, sentAtMs: 0, doneAtMs: 0, status: 0, kind: null, code: undefined, latencyMs: 0 }
  private finished = false
  private readonly ticker: NodeJS.Timeout
  private readonly onAbort = () => this.stop()

  constructor(
    private readonly plan: LoadPlan,
    open: OpenPlan,
    private readonly udp: UdpPlan,
  ) {
    this.recorder = createLoadRecorder({ epochMs: plan.epochMs, model: 'open' })
    this.tally = createUdpTally({ epochMs: plan.epochMs, sourcePort: udp.sourcePort })
    this.result = new Promise((resolve) => (this.resolve = resolve))
    this.clock = createRunClock(plan.epochMs, plan.durationMs, open)
    this.nextAt = this.clock.next()
    if (udp.sourcePort === 'fixed') {
      plan.clientAddresses.forEach((client, i) => this.fixed.push(this.open(client, plan.targets[i % plan.targets.length] as LoadTarget, false)))
    }
    for (const a of plan.clientAddresses) this.recorder.sourceAddress(a)
    this.ticker = setInterval(() => this.tick(), UDP_TICK_MS)
    if (plan.signal?.aborted === true) queueMicrotask(() => this.stop())
    else plan.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  /** A socket bound to `client` (an ephemeral port: the kernel picks it, as for any resolver). */
  private open(client: string, target: LoadTarget, own: boolean): Sock {
    const sock = dgram.createSocket({ type: client.includes(':') ? 'udp6' : 'udp4' })
    const s: Sock = { sock, client, target, flow: null, own }
    sock.on('message', (msg) => this.onMessage(s, msg))
    sock.on('error', () => {})
    sock.bind({ address: client, port: 0 }, () => {
      if (!own) s.flow = this.tally.flow(client, sock.address().port)
    })
    return s
  }

  private tick(): void {
    if (this.finished) return
    const now = performance.now()
    this.expire(now)
    this.pump(now)
    if (this.nextAt === Infinity && this.inFlight.size === 0) this.finish(false)
  }

  private pump(now: number): void {
    while (this.nextAt <= now && !this.finished) {
      this.issue(this.nextAt, now)
      this.nextAt = this.clock.next()
    }
  }

  /** Send query k (at intended time `intended`) from its client's socket, or from a socket of its own. */
  private issue(intended: number, now: number): void {
    const k = this.seq++
    const { clientAddresses, targets } = this.plan
    const s = this.udp.sourcePort === 'fixed'
      ? (this.fixed[k % this.fixed.length] as Sock)
      : this.open(clientAddresses[k % clientAddresses.length] as string, targets[k % targets.length] as LoadTarget, true)
    const q: Query = { id: this.idBase + k, intended, handled: now, sent: now, deadline: now + this.plan.requestTimeoutMs, s, done: false }
    this.inFlight.set(q.id, q)
    this.pending.push(q)
    s.sock.send(encodeQuery(q.id, this.udp.queryBytes), s.target.port, s.target.host, (err) => {
      if (err !== null && err !== undefined && !q.done) this.end(q, 0, errnoKind((err as NodeJS.ErrnoException).code), (err as NodeJS.ErrnoException).code ?? 'UNKNOWN', performance.now())
    })
  }

  private onMessage(s: Sock, msg: Buffer): void {
    const q = this.inFlight.get(datagramId(msg))
    if (q === undefined || q.done || q.s !== s) return // late (already lost), or not ours
    const now = performance.now()
    const pod = answerPod(msg)
    this.tally.answered(s.client, s.flow, pod, this.clock.wall(q.intended))
    this.end(q, 200, null, undefined, now)
    this.pump(now)
  }

  /** Queries past their deadline are lost (deadlines come in send order). */
  private expire(now: number): void {
    for (let q = this.pending.peek(); q !== undefined; q = this.pending.peek()) {
      if (!q.done) {
        if (q.deadline > now) break
        this.tally.lost(q.s.flow, this.clock.wall(q.intended))
        this.end(q, 0, 'timeout', undefined, q.deadline)
      }
      this.pending.shift()
    }
  }

  /** Tell the recorder how `q` ended at `at` (performance.now() ms). */
  private end(q: Query, status: number, kind: ScheduledOutcome['kind'], code: string | undefined, at: number): void {
    q.done = true
    this.inFlight.delete(q.id)
    if (q.s.own) q.s.sock.close()
    const o = this.o
    this.clock.stamp(o, q.intended, q.handled, q.sent, at)
    o.status = status
    o.kind = kind
    o.code = code
    this.recorder.outcome(o)
  }

  /** Stop now (the signal, or stop()): what was measured so far, marked interrupted. */
  stop(): void {
    if (this.finished) return
    this.finish(true)
  }

  private finish(interrupted: boolean): void {
    this.finished = true
    clearInterval(this.ticker)
    this.plan.signal?.removeEventListener('abort', this.onAbort)
    for (const q of this.inFlight.values()) if (q.s.own) q.s.sock.close()
    this.inFlight.clear()
    for (const s of this.fixed) s.sock.close()
    const endWall = interrupted ? Math.min(Date.now(), this.clock.wall(this.clock.endMono)) : this.clock.wall(this.clock.endMono)
    this.resolve({ ...this.recorder.result(endWall, interrupted), udp: this.tally.result() })
  }
}
