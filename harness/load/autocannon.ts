/**
 * The load generator: autocannon 9 in-process (the only importer of autocannon).
 *
 * Source addresses: autocannon has no source-address option. Its `setupClient(client)` hook runs
 * before the client's first `_connect()`, so overriding `_connect` per client to wrap
 * `net.connect` for the duration of the call gives each connection its own source address and
 * target node (DESIGN.md). This depends on autocannon internals: the version is pinned and
 * test/integration/client-addresses.test.ts fails if pods stop seeing the distinct addresses.
 *
 * Latency is recorded here in µs from autocannon's `response` event (its duration comes from
 * process.hrtime), because autocannon's own histogram is whole milliseconds.
 */
import net from 'node:net'
import tls from 'node:tls'
import autocannon, { type AutocannonClient } from 'autocannon'
import { createLatencyHistogram, recordMs, summarizeLatency, type LatencyHistogram } from '../stats/latency.ts'
import { isLoopback } from '../util/ip.ts'
import { HarnessError } from '../errors.ts'
import type { LatencySummary } from '../model/results.ts'
import type { LoadProgress, LoadResult } from '../model/measurements.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/results.ts'

/** A place connections go to. */
export interface LoadTarget {
  host: string
  port: number
  /** Speak HTTPS (certificates are not verified: the load balancer's is self-signed). */
  tls?: boolean
}


/** Options for {@link runLoad}. */
export interface LoadOptions {
  /** Connection i goes to targets[i mod targets.length]. */
  targets: LoadTarget[]
  /** Connection i uses source address clientAddresses[i mod length]. */
  clientAddresses: string[]
  connections: number
  /** Measured phase length, from `epochMs`. */
  durationMs: number
  keepAlive: boolean
  /** With keep-alive: reconnect once a connection is this old (at the next request). 0 = never. */
  connectionLifetimeMs?: number
  path: string
  requestTimeoutMs: number
  /**
   * Start of the measured window. Load starts now; anything that completes before the epoch is
   * warm-up and is not counted (the same connections carry on into the measured phase, so it
   * does not restart cold). The per-second timeline counts from here.
   */
  epochMs: number
  /** Stop early (SIGINT). */
  signal?: AbortSignal
}

/** Most error events kept with their times (the counts stay exact beyond it). */
export const MAX_ERROR_EVENTS = 200_000

/** Kind of a transport error raised by autocannon. */
export function classifyError(err: NodeJS.ErrnoException): ErrorKind {
  if (err.message === 'request timed out') return 'timeout'
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connect-refused'
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset'
    case 'ETIMEDOUT':
      return 'timeout'
    default:
      return 'other'
  }
}

/**
 * Run the load until `durationMs` has elapsed (or the signal aborts). Refuses any target or
 * source that is not a loopback address.
 */
export function runLoad(opts: LoadOptions, progress?: (p: LoadProgress) => void): Promise<LoadResult> {
  for (const t of opts.targets) {
    if (!isLoopback(t.host)) {
      throw new HarnessError('NOT_LOOPBACK', `refusing to send traffic to ${t.host}: svcbench only targets 127.0.0.0/8 and ::1`)
    }
  }
  for (const a of opts.clientAddresses) {
    if (!isLoopback(a)) throw new HarnessError('NOT_LOOPBACK', `refusing source address ${a}: svcbench only uses 127.0.0.0/8 and ::1`)
  }
  const first = opts.targets[0]
  if (first === undefined) throw new HarnessError('LOAD_FAILED', 'no load target')

  const latency = createLatencyHistogram()
  const seconds: { responses: number; ok: number; errors: number; h: LatencyHistogram }[] = []
  const secondAt = (now: number) => {
    const idx = Math.max(0, Math.floor((now - opts.epochMs) / 1000))
    while (seconds.length <= idx) seconds.push({ responses: 0, ok: 0, errors: 0, h: createLatencyHistogram() })
    return seconds[idx] as (typeof seconds)[number]
  }
  let responses = 0
  let ok = 0
  let errors = 0
  let measuredRequests = 0
  let liveResponses = 0
  let liveErrors = 0
  const statusCounts: Record<string, number> = {}
  const errorsByKind = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>
  const errorsByCode: Record<string, number> = {}
  const used = new Set<string>()
  const per100ms: number[] = []
  const errorEvents: { tMs: number; kind: ErrorKind }[] = []
  const errorSlots: number[][] = []
  const countErrorSlot = (tMs: number, kind: ErrorKind) => {
    const slot = Math.floor(tMs / 100)
    const row = (errorSlots[slot] ??= ERROR_KINDS.map(() => 0))
    row[ERROR_KINDS.indexOf(kind)]! += 1
  }

  let clientIndex = 0
  const realConnect = net.connect
  const realTlsConnect = tls.connect
  const setupClient = (client: AutocannonClient) => {
    const k = clientIndex++
    const target = opts.targets[k % opts.targets.length] as LoadTarget
    const localAddress = opts.clientAddresses[k % opts.clientAddresses.length] as string
    used.add(localAddress)
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
    }
    const lifetimeMs = opts.connectionLifetimeMs ?? 0
    if (!opts.keepAlive || lifetimeMs > 0) {
      // Without keep-alive, once a connection has carried a request the next request opens a
      // fresh one; with a lifetime, once the connection is that old. (autocannon's own
      // reconnectRate drops the response event of the request it reconnects on.)
      const origDoRequest = client._doRequest
      let usedConn: unknown
      client._doRequest = function (this: AutocannonClient, ...args: unknown[]) {
        const expired = !opts.keepAlive || Date.now() - connectedAt >= lifetimeMs
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

  return new Promise<LoadResult>((resolve, reject) => {
    let interrupted = false
    const instance = autocannon(
      {
        url: `${first.tls === true ? 'https' : 'http'}://${first.host}:${first.port}${opts.path}`,
        connections: opts.connections,
        duration: Math.max(0.001, (opts.epochMs + opts.durationMs - Date.now()) / 1000),
        // autocannon only stops on a sample tick: a short interval makes it stop on time.
        sampleInt: 50,
        timeout: opts.requestTimeoutMs / 1000,
        headers: opts.keepAlive ? {} : { connection: 'close' },
        setupClient,
      },
      (err) => {
        clearInterval(ticker)
        opts.signal?.removeEventListener('abort', onAbort)
        if (err !== null) {
          reject(new HarnessError('LOAD_FAILED', `autocannon failed: ${err.message}`, { cause: err }))
          return
        }
        resolve({
          elapsedMs: Math.max(0, Date.now() - opts.epochMs),
          responses,
          ok,
          statusCounts,
          errorsByKind,
          errorsByCode,
          latency,
          perSecond: seconds.map((s) => ({ responses: s.responses, ok: s.ok, errors: s.errors, latency: summarizeLatency(s.h) })),
          perSecondHistograms: seconds.map((s) => s.h),
          okPer100ms: Array.from(per100ms, (x) => x ?? 0),
          errorEvents,
          errorsPer100ms: Array.from(errorSlots, (r) => r ?? ERROR_KINDS.map(() => 0)),
          clientAddressesUsed: used.size,
          interrupted,
        })
      },
    )
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      const now = Date.now()
      liveResponses++
      if (statusCode >= 400) liveErrors++
      if (now < opts.epochMs) return // warm-up
      const sec = secondAt(now)
      responses++
      measuredRequests++
      sec.responses++
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1
      recordMs(latency, responseTimeMs)
      recordMs(sec.h, responseTimeMs)
      if (statusCode < 400) {
        ok++
        sec.ok++
        const slot = Math.floor((now - opts.epochMs) / 100)
        per100ms[slot] = (per100ms[slot] ?? 0) + 1
      } else {
        const kind: ErrorKind = statusCode >= 500 ? 'http-5xx' : 'other'
        errorsByKind[kind]++
        errorsByCode[`HTTP_${statusCode}`] = (errorsByCode[`HTTP_${statusCode}`] ?? 0) + 1
        errors++
        sec.errors++
        countErrorSlot(now - opts.epochMs, kind)
      if (errorEvents.length < MAX_ERROR_EVENTS) errorEvents.push({ tMs: now - opts.epochMs, kind })
      }
    })
    instance.on('reqError', (err: NodeJS.ErrnoException) => {
      liveErrors++
      const now = Date.now()
      if (now < opts.epochMs) return // warm-up
      const kind = classifyError(err)
      measuredRequests++
      errorsByKind[kind]++
      countErrorSlot(now - opts.epochMs, kind)
      if (errorEvents.length < MAX_ERROR_EVENTS) errorEvents.push({ tMs: now - opts.epochMs, kind })
      const code = kind === 'timeout' ? 'TIMEOUT' : (err.code ?? 'UNKNOWN')
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1
      errors++
      secondAt(now).errors++
    })
    const ticker = setInterval(() => progress?.({ responses: liveResponses, errors: liveErrors, measured: { requests: measuredRequests, errors } }), 250)
    const onAbort = () => {
      interrupted = true
      instance.stop()
    }
    if (opts.signal?.aborted === true) onAbort()
    else opts.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
