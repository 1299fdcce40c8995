/**
 * The open-model load executor (registry name `open`): requests start on an arrival schedule
 * (schedule.ts), each at its intended time whatever became of the earlier ones, as k6's
 * arrival-rate executors, Gatling's injectOpen and wrk2's -R do, so that a slow or hung server
 * cannot slow the load down and hide what it costs (coordinated omission: Gil Tene, "How NOT to
 * Measure Latency"; wrk2's README). Latency counts from the intended start.
 *
 * - Without keep-alive every request opens its own connection, request k from
 *   clientAddresses[k mod n] to targets[k mod m], and says `Connection: close`; the server closes
 *   first (so its side, not the client's, keeps TIME_WAIT), else the client does after LINGER_MS.
 * - With keep-alive, a pool: a request takes the connection idle longest, else opens one while
 *   fewer than maxConnections are open, else waits for one to come free; `connections` are opened
 *   at the start (the warm-up). A request still waiting requestTimeoutMs after its intended start
 *   is dropped (k6's dropped_iterations), its latency that timeout.
 * - A request unanswered requestTimeoutMs after it was written is a timeout (as an HTTP client's
 *   timeout, and the closed model's), its connection closed; its latency counts from the intended
 *   start, so it is at least the timeout. (A deadline from the intended start instead would time
 *   out every request a saturated pool sends, since the one waiting longest goes first.)
 * - Timeouts, drops and the schedule share one clock tick (TICK_MS); I/O callbacks send what has
 *   come due as well, and a request due within SLEEP_AHEAD_MS is waited for: no timer, promise or
 *   closure per request.
 *
 * HTTP: a raw HTTP/1.1 client (one prebuilt request per target, response-reader.ts), plain
 * sockets read into one shared buffer (net's `onread`), TLS sockets (certificates not verified:
 * the load balancer's is self-signed) through 'data'. Times come from performance.now().
 */
import net from 'node:net'
import tls from 'node:tls'
import { performance } from 'node:perf_hooks'
import { HarnessError } from '../errors.ts'
import type { LoadResult } from '../model/measurements.ts'
import { checkPlan } from './plan.ts'
import { createLoadRecorder, type LoadRecorder, type ScheduledOutcome } from './recorder.ts'
import { createRunClock, type RunClock } from './schedule.ts'
import { READ_BAD, READ_MORE, ResponseReader } from './response-reader.ts'
import { errnoKind } from './error-kind.ts'
import { Fifo } from './fifo.ts'
import type { LoadExecutor, LoadPlan, LoadTarget, OpenPlan, RunningLoad } from './types.ts'
import type { ErrorKind } from '../model/variant-parts.ts'

/** The executor's clock tick: timeouts, drops and sends that no I/O callback made, ms. */
export const TICK_MS = 1
/** Without keep-alive: how long the client waits for the server to close after the response, ms. */
export const LINGER_MS = 1000
/**
 * A request due within this many ms is waited for in Atomics.wait (a futex with a fractional-ms
 * timeout: no spinning), once the loop has polled its I/O (setImmediate), ms. Node's timers fire
 * on whole milliseconds, and late: libuv computes its poll timeout from the loop time cached at
 * the start of the iteration, so under I/O a 1 ms tick comes 1–2 ms apart, and the tick alone
 * put a lag p99 of about 1.1 ms on every rate. Above 1/SLEEP_AHEAD_MS req/s the executor thus
 * sleeps from one request to the next; I/O waits at most one gap between requests. What it costs
 * and buys: `npm run bench:load` against `npm run bench:load -- --sleep-ahead 0` (quick runs on
 * a quiet 2-core machine, not a committed measurement: lag p99 0.14 ms instead of 1.1 ms at
 * 10,000 req/s on keep-alive, for about 13 µs more CPU per request).
 */
export const SLEEP_AHEAD_MS = 0.3
/** Size of the buffer every plain socket is read into, bytes. */
const READ_BUFFER_BYTES = 64 * 1024

const WAITING = 0
const SENT = 1
const DONE = 2

/** One scheduled request (objects are reused). Times are performance.now() ms. */
interface Req {
  intended: number
  handled: number
  sent: number
  /** Waiting: when it is dropped; sent: when it times out. */
  deadline: number
  state: typeof WAITING | typeof SENT | typeof DONE
  conn: Conn | null
}

/** One connection and the request on it, if any. */
interface Conn {
  sock: net.Socket
  reader: ResponseReader
  req: Req | null
  target: number
  createdAt: number
  alive: boolean
  /** When a lingering connection is closed by the client, performance.now() ms. */
  lingerUntil: number
}

const CONN = Symbol('svcbench.conn')
type TaggedSocket = net.Socket & { [CONN]?: Conn }

/** The open-model executor. */
export function createOpenExecutor(): LoadExecutor {
  return { name: 'open', start: startOpenLoad }
}

/** Start the open model on the plan (plan.open required). Throws NOT_LOOPBACK before sending anything off this machine. */
export function startOpenLoad(plan: LoadPlan): RunningLoad {
  checkPlan(plan)
  if (plan.open === undefined) throw new HarnessError('LOAD_FAILED', 'the open executor needs plan.open (its schedule)')
  const load = new OpenLoad(plan, plan.open)
  return { progress: () => load.recorder.progress(), stop: () => load.stop(), result: load.result }
}

/** The request bytes for a target. */
function requestBytes(t: LoadTarget, path: string, keepAlive: boolean): Buffer {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${t.port}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`, 'latin1')
}

class OpenLoad {
  private readonly clock: RunClock
  readonly recorder: LoadRecorder
  readonly result: Promise<LoadResult>
  private resolve!: (r: LoadResult) => void
  private readonly plan: LoadPlan
  private readonly open: OpenPlan
  private readonly requests: Buffer[]
  private readonly timeoutMs: number
  private nextAt: number
  private readonly pending = new Fifo<Req>()
  private waiting = new Fifo<Req>()
  private readonly idle = new Fifo<Conn>()
  private readonly lingering = new Fifo<Conn>()
  private readonly freeReqs: Req[] = []
  private readonly o: ScheduledOutcome = { intendedAtMs: 0, handledAtMs: 0, sentAtMs: 0, doneAtMs: 0, status: 0, kind: null, code: undefined, latencyMs: 0 }
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES)
  private opened = 0
  private connCount = 0
  private finished = false
  private paced = false
  private readonly sleepAheadMs: number
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4))
  private interrupted = false
  private readonly ticker: NodeJS.Timeout
  private readonly onAbort = () => this.stop()

  constructor(plan: LoadPlan, open: OpenPlan) {
    this.plan = plan
    this.open = open
    this.recorder = createLoadRecorder({ epochMs: plan.epochMs, model: 'open' })
    this.result = new Promise((resolve) => (this.resolve = resolve))
    this.requests = plan.targets.map((t) => requestBytes(t, plan.path, plan.keepAlive))
    this.timeoutMs = plan.requestTimeoutMs
    this.sleepAheadMs = open.sleepAheadMs ?? SLEEP_AHEAD_MS
    const now = performance.now()
    this.clock = createRunClock(plan.epochMs, plan.durationMs, open)
    this.nextAt = this.clock.next()
    if (plan.keepAlive) for (let i = 0; i < Math.min(plan.connections, open.maxConnections); i++) this.idle.push(this.connect(now))
    this.ticker = setInterval(() => this.tick(), TICK_MS)
    if (plan.signal?.aborted === true) queueMicrotask(() => this.stop())
    else plan.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  private tick(): void {
    if (this.finished) return
    const now = performance.now()
    this.expire(now)
    if (now >= this.nextAt) this.pump(now)
    if (this.nextAt === Infinity && this.pending.size === 0 && this.waiting.size === 0) this.finish(false)
    else this.pace()
  }

  /** When the next request is due within sleepAheadMs, wait for it after the loop's next I/O poll. */
  private pace(): void {
    if (this.paced || this.finished) return
    const wait = this.nextAt - performance.now()
    if (wait > 0 && wait <= this.sleepAheadMs) {
      this.paced = true
      setImmediate(this.onPace)
    }
  }

  private readonly onPace = () => {
    this.paced = false
    if (this.finished) return
    const wait = this.nextAt - performance.now()
    if (wait > 0 && wait <= this.sleepAheadMs) Atomics.wait(this.sleeper, 0, 0, wait)
    this.poke()
  }

  /** Send (or queue) every request whose intended start has come. */
  private pump(now: number): void {
    while (this.nextAt <= now && !this.finished) {
      this.issue(this.nextAt)
      this.nextAt = this.clock.next()
    }
  }

  /** I/O callbacks send what has come due too: the tick alone would add up to TICK_MS of lag. */
  private poke(): void {
    const now = performance.now()
    if (now >= this.nextAt) this.pump(now)
    this.pace()
  }

  private issue(intended: number): void {
    const r = this.freeReqs.pop() ?? { intended: 0, handled: 0, sent: Number.NaN, deadline: 0, state: WAITING, conn: null }
    r.intended = intended
    r.deadline = intended + this.timeoutMs
    r.sent = Number.NaN
    r.state = WAITING
    r.conn = null
    const now = performance.now()
    r.handled = now
    if (!this.plan.keepAlive) {
      this.send(r, this.connect(now))
      return
    }
    const c = this.waiting.size === 0 ? this.takeIdle(now) : undefined
    if (c !== undefined) this.send(r, c)
    else if (this.connCount < this.open.maxConnections) this.send(r, this.connect(now))
    else this.waiting.push(r)
  }

  /** The connection idle longest, passing over closed ones and those past their lifetime. */
  private takeIdle(now: number): Conn | undefined {
    const lifetimeMs = this.plan.connectionLifetimeMs ?? 0
    for (let c = this.idle.shift(); c !== undefined; c = this.idle.shift()) {
      if (!c.alive) continue
      if (lifetimeMs > 0 && now - c.createdAt >= lifetimeMs) {
        c.sock.destroy()
        continue
      }
      return c
    }
    return undefined
  }

  private send(r: Req, c: Conn): void {
    r.state = SENT
    r.conn = c
    c.req = r
    c.reader.reset()
    c.sock.write(this.requests[c.target] as Buffer)
    r.sent = performance.now()
    r.deadline = r.sent + this.timeoutMs
    this.pending.push(r)
  }

  /** A new connection: the k-th goes to targets[k mod m] from clientAddresses[k mod n]. */
  private connect(now: number): Conn {
    const k = this.opened++
    const target = this.plan.targets[k % this.plan.targets.length] as LoadTarget
    const localAddress = this.plan.clientAddresses[k % this.plan.clientAddresses.length] as string
    if (k < this.plan.clientAddresses.length) this.recorder.sourceAddress(localAddress)
    let sock: TaggedSocket
    if (target.tls === true) {
      // tls.connect hands its options to net's connect, localAddress included (the closed executor relies on it too).
      sock = tls.connect({ host: target.host, port: target.port, localAddress, rejectUnauthorized: false } as tls.ConnectionOptions)
      sock.setNoDelay(true)
      sock.on('data', this.onData)
    } else {
      sock = net.connect({ host: target.host, port: target.port, localAddress, noDelay: true, onread: { buffer: this.readBuffer, callback: this.onRead } })
    }
    const c: Conn = { sock, reader: new ResponseReader(), req: null, target: k % this.plan.targets.length, createdAt: now, alive: true, lingerUntil: 0 }
    sock[CONN] = c
    sock.on('error', this.onError)
    sock.on('close', this.onClose)
    this.connCount++
    return c
  }

  // Socket handlers, shared by every socket (`this` is the socket).
  private readonly onRead = ((engine: OpenLoad) =>
    function (this: TaggedSocket, n: number, buf: Uint8Array): boolean {
      engine.bytes(this[CONN] as Conn, buf as Buffer, n)
      return true
    })(this)
  private readonly onData = ((engine: OpenLoad) =>
    function (this: TaggedSocket, chunk: Buffer): void {
      engine.bytes(this[CONN] as Conn, chunk, chunk.length)
    })(this)
  private readonly onError = ((engine: OpenLoad) =>
    function (this: TaggedSocket, err: NodeJS.ErrnoException): void {
      const c = this[CONN] as Conn
      if (c.req !== null) engine.fail(c, errnoKind(err.code), err.code ?? 'UNKNOWN')
    })(this)
  private readonly onClose = ((engine: OpenLoad) =>
    function (this: TaggedSocket): void {
      engine.closed(this[CONN] as Conn)
    })(this)

  private bytes(c: Conn, buf: Buffer, n: number): void {
    if (c.req === null) {
      c.sock.destroy() // bytes nobody asked for: the connection is out of step
      return
    }
    const r = c.reader.feed(buf, 0, n)
    if (r === READ_MORE) return
    if (r === READ_BAD) this.fail(c, 'other', 'EBADRESPONSE')
    else this.answered(c)
    this.poke()
  }

  /** The response on `c` is complete. */
  private answered(c: Conn): void {
    const r = c.req as Req
    const now = performance.now()
    c.req = null
    // Past its deadline (between two ticks) it is a timeout, as it would have been a tick earlier.
    if (now > r.deadline) this.report(r, 0, 'timeout', undefined, r.deadline)
    else this.report(r, c.reader.status, null, undefined, now)
    if (this.plan.keepAlive && !c.reader.close && !this.finished) {
      const w = this.waiting.shift()
      if (w !== undefined) this.send(w, c)
      else this.idle.push(c)
      return
    }
    // The server is to close (Connection: close): give it LINGER_MS to, so it keeps the TIME_WAIT.
    c.lingerUntil = now + LINGER_MS
    this.lingering.push(c)
  }

  /** The request on `c` failed without a response; the connection is closed. */
  private fail(c: Conn, kind: ErrorKind, code: string): void {
    const r = c.req as Req
    c.req = null
    this.report(r, 0, kind, code, performance.now())
    c.sock.destroy()
  }

  private closed(c: Conn): void {
    if (!c.alive) return
    c.alive = false
    this.connCount--
    if (this.finished) return
    if (c.req !== null) {
      // Closed before the response was complete: only a response framed by the close is one.
      if (c.reader.untilClose && c.reader.status > 0) this.answered(c)
      else this.fail(c, 'reset', 'ECONNCLOSED')
    }
    // A pool slot came free: a waiting request opens a new connection in it.
    if (this.plan.keepAlive && this.waiting.size > 0 && this.connCount < this.open.maxConnections) {
      const w = this.waiting.shift() as Req
      this.send(w, this.connect(performance.now()))
    }
    this.poke()
  }

  /**
   * Drops and timeouts whose deadline has passed (each queue's deadlines come in its order: the
   * waiting by intended start, the sent by write), and lingering connections past their time.
   */
  private expire(now: number): void {
    for (let r = this.waiting.peek(); r !== undefined && r.deadline <= now; r = this.waiting.peek()) {
      this.waiting.shift()
      this.report(r, 0, null, undefined, r.deadline)
      this.freeReqs.push(r)
    }
    for (let r = this.pending.peek(); r !== undefined; r = this.pending.peek()) {
      if (r.state !== DONE) {
        if (r.deadline > now) break
        const c = r.conn as Conn
        c.req = null
        this.report(r, 0, 'timeout', undefined, r.deadline)
        c.sock.destroy()
      }
      this.pending.shift()
      this.freeReqs.push(r)
    }
    for (let c = this.lingering.peek(); c !== undefined && c.lingerUntil <= now; c = this.lingering.peek()) {
      this.lingering.shift()
      if (c.alive) c.sock.destroy()
    }
  }

  /** Tell the recorder how `r` ended at `at` (performance.now() ms): a status, an error kind, or a drop (neither). */
  private report(r: Req, status: number, kind: ErrorKind | null, code: string | undefined, at: number): void {
    const o = this.o
    r.state = DONE
    r.conn = null
    this.clock.stamp(o, r.intended, r.handled, r.sent, at)
    o.status = status
    o.kind = kind
    o.code = code
    this.recorder.outcome(o)
  }

  /** Stop now (the signal, or stop()): what was measured so far, marked interrupted. */
  stop(): void {
    if (this.finished) return
    this.interrupted = true
    this.finish(true)
  }

  private finish(interrupted: boolean): void {
    this.finished = true
    clearInterval(this.ticker)
    this.plan.signal?.removeEventListener('abort', this.onAbort)
    // Whatever is still open: idle and lingering connections, and under a stop the requests in flight (left out).
    for (let c = this.idle.shift(); c !== undefined; c = this.idle.shift()) c.sock.destroy()
    for (let c = this.lingering.shift(); c !== undefined; c = this.lingering.shift()) c.sock.destroy()
    this.waiting = new Fifo<Req>()
    for (let r = this.pending.shift(); r !== undefined; r = this.pending.shift()) {
      const c = r.conn
      if (c === null) continue
      c.req = null
      c.sock.destroy()
    }
    const endWall = interrupted ? Math.min(Date.now(), this.clock.wall(this.clock.endMono)) : this.clock.wall(this.clock.endMono)
    this.resolve(this.recorder.result(endWall, interrupted || this.interrupted))
  }
}
