/**
 * The closed-model load executor (registry name `closed`): autocannon 9 in-process, N connections
 * with one request in flight each (the only importer of autocannon). It drives autocannon only;
 * the bookkeeping is the recorder's (recorder.ts).
 *
 * Source addresses: autocannon has no source-address option. Its `setupClient(client)` hook runs
 * before the client's first `_connect()`, so overriding `_connect` per client to wrap
 * `net.connect` for the duration of the call gives each connection its own source address and
 * target node (DESIGN.md). This depends on autocannon internals: the version is pinned and
 * test/load/autocannon.test.ts fails if the server stops seeing the distinct addresses.
 *
 * Latency is recorded in µs from autocannon's `response` event (its duration comes from
 * process.hrtime), because autocannon's own histogram is whole milliseconds. Failed requests are
 * taken from each client's own `timeout` and `connError` events (one per failed request with one
 * request in flight, as autocannon's `reqError`), so that their latency can be recorded.
 */
import net from 'node:net'
import tls from 'node:tls'
import autocannon, { type AutocannonClient } from 'autocannon'
import { HarnessError } from '../errors.ts'
import type { LoadProgress, LoadResult } from '../model/measurements.ts'
import { checkPlan } from './plan.ts'
import { createLoadRecorder, type LoadRecorder } from './recorder.ts'
import { driveLoad } from './drive.ts'
import { errnoKind } from './error-kind.ts'
import type { LoadExecutor, LoadPlan, LoadTarget, RunningLoad } from './types.ts'
import type { ErrorKind } from '../model/variant-parts.ts'

/** Kind of a transport error raised by autocannon. */
export function classifyError(err: NodeJS.ErrnoException): ErrorKind {
  return err.message === 'request timed out' ? 'timeout' : errnoKind(err.code)
}

/** The closed-model executor. */
export function createClosedExecutor(): LoadExecutor {
  return { name: 'closed', start: startClosedLoad }
}

/**
 * Run the load until `durationMs` has elapsed (or the signal aborts), reporting progress every
 * 250 ms. Refuses any target or source that is not a loopback address.
 */
export function runLoad(opts: LoadPlan, progress?: (p: LoadProgress) => void): Promise<LoadResult> {
  return driveLoad(startClosedLoad(opts), progress)
}

/**
 * Start autocannon on the plan. Throws (NOT_LOOPBACK) before sending anything when a target or
 * source is not a loopback address.
 */
export function startClosedLoad(plan: LoadPlan): RunningLoad {
  const first = checkPlan(plan)
  const recorder = createLoadRecorder({ epochMs: plan.epochMs, model: 'closed' })
  let stop = () => {}
  const result = new Promise<LoadResult>((resolve, reject) => {
    let interrupted = false
    const instance = autocannon(
      {
        url: `${first.tls === true ? 'https' : 'http'}://${first.host}:${first.port}${plan.path}`,
        connections: plan.connections,
        duration: Math.max(0.001, (plan.epochMs + plan.durationMs - Date.now()) / 1000),
        // autocannon only stops on a sample tick: a short interval makes it stop on time.
        sampleInt: 50,
        timeout: plan.requestTimeoutMs / 1000,
        headers: plan.keepAlive ? {} : { connection: 'close' },
        setupClient: clientSetup(plan, recorder),
      },
      (err) => {
        plan.signal?.removeEventListener('abort', onAbort)
        if (err !== null) {
          reject(new HarnessError('LOAD_FAILED', `autocannon failed: ${err.message}`, { cause: err }))
          return
        }
        resolve(recorder.result(Date.now(), interrupted))
      },
    )
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      recorder.response(statusCode, responseTimeMs, Date.now())
    })
    const onAbort = () => {
      interrupted = true
      instance.stop()
    }
    stop = onAbort
    if (plan.signal?.aborted === true) onAbort()
    else plan.signal?.addEventListener('abort', onAbort, { once: true })
  })
  return { progress: recorder.progress, stop: () => stop(), result }
}

/**
 * autocannon's per-client hook: client k connects from clientAddresses[k mod n] to
 * targets[k mod m] (by overriding `_connect`, see the header), and reconnects per request
 * without keep-alive or once the connection lifetime has passed.
 */
function clientSetup(plan: LoadPlan, recorder: LoadRecorder): (client: AutocannonClient) => void {
  let clientIndex = 0
  const realConnect = net.connect
  const realTlsConnect = tls.connect
  return (client) => {
    const k = clientIndex++
    const target = plan.targets[k % plan.targets.length] as LoadTarget
    const localAddress = plan.clientAddresses[k % plan.clientAddresses.length] as string
    recorder.sourceAddress(localAddress)
    // Failed requests enter the latency too (a timeout at the request timeout, censored; any other
    // error at its time from the request's start), so a hung pod cannot hide behind fast answers.
    // autocannon emits 'timeout' after it has already started the next request, hence no clock.
    let startedAt = Number.NaN
    // A request is in flight from its write until its response (one at a time: no pipelining).
    let inFlight = false
    client.on('request', () => {
      startedAt = performance.now()
      inFlight = true
    })
    client.on('response', () => (inFlight = false))
    client.on('timeout', () => recorder.transportError('timeout', undefined, Date.now(), plan.requestTimeoutMs))
    client.on('connError', (err: NodeJS.ErrnoException) => recorder.transportError(classifyError(err), err.code, Date.now(), performance.now() - startedAt))
    const origConnect = client._connect
    let connectedAt = 0
    client._connect = function (this: AutocannonClient) {
      connectedAt = Date.now()
      ;(net as { connect: unknown }).connect = () =>
        realConnect({ host: target.host, port: target.port, localAddress, noDelay: true })
      ;(tls as { connect: unknown }).connect = (_port: unknown, _host: unknown, options: tls.ConnectionOptions) =>
        realTlsConnect({ ...options, host: target.host, port: target.port, localAddress, rejectUnauthorized: false } as tls.ConnectionOptions)
      try {
        origConnect.call(this)
      } finally {
        ;(net as { connect: unknown }).connect = realConnect
        ;(tls as { connect: unknown }).connect = realTlsConnect
      }
      // autocannon reconnects on a FIN without a word, so a request in flight when the server (or
      // a dataplane passing on a pod's end) closed the connection would vanish from the results.
      // It failed as an HTTP client sees it ("socket hang up": a reset); this listener runs before
      // autocannon's, which starts the next request at once. A socket error is counted by connError.
      const conn = this.conn as net.Socket
      let failed = false
      conn.prependListener('error', () => (failed = true))
      conn.prependListener('end', () => {
        if (inFlight && !failed && !this.destroyed) recorder.transportError('reset', 'ECONNRESET', Date.now(), performance.now() - startedAt)
        inFlight = false
      })
    }
    // A response that says the server closes the connection (`Connection: close`, as a draining
    // pod sends) ends that connection's use, as in every HTTP client; autocannon would write the
    // next request into it and lose it to the FIN.
    let closingConn: unknown
    client.on('headers', (info: { shouldKeepAlive?: boolean }) => {
      if (info.shouldKeepAlive === false) closingConn = client.conn
    })
    const lifetimeMs = plan.connectionLifetimeMs ?? 0
    // Without keep-alive, once a connection has carried a request the next request opens a fresh
    // one; with a lifetime, once the connection is that old. (autocannon's own reconnectRate drops
    // the response event of the request it reconnects on.)
    const origDoRequest = client._doRequest
    let usedConn: unknown
    client._doRequest = function (this: AutocannonClient, ...args: unknown[]) {
      const expired = !plan.keepAlive || (lifetimeMs > 0 && Date.now() - connectedAt >= lifetimeMs) || closingConn === this.conn
      if (usedConn === this.conn && expired && !this.destroyed) {
        this._destroyConnection()
        this._connect()
        return
      }
      usedConn = this.conn
      origDoRequest.apply(this, args)
    }
  }
}
