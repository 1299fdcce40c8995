/**
 * The parent's side of a load that runs in a child process (load-child.ts, in the client
 * namespace): a RunningLoad whose progress is polled over IPC, whose stop is a request, and
 * whose result comes back decoded.
 */
import { HarnessError, type HarnessErrorCode } from '../../errors.ts'
import { combineLoads } from '../../load/merge.ts'
import { PROGRESS_INTERVAL_MS } from '../../load/drive.ts'
import { decodeLoadResult, type EncodedLoadResult } from './wire.ts'
import type { Child } from '../../process/child.ts'
import { deriveSeed } from '../../util/rng.ts'
import type { LoadExecutorName, LoadPlan, OpenPlan, RunningLoad } from '../../load/types.ts'
import type { LoadProgress, LoadResult } from '../../model/measurements.ts'

/** Time the result may take after the load's end, ms (the closed model waits for requests in flight up to their timeout). */
export const RESULT_MARGIN_MS = 30_000

/**
 * `plan` split by the namespace each connection's client address lives in: connection i (address
 * i mod n, target i mod m, as every executor pairs them) becomes a connection of its namespace's
 * part, which lists one address and one target per connection, so that the pairing is kept
 * exactly. A UDP load's clients are its addresses (the udp executor opens one socket per address,
 * or cycles the addresses per query), so it is split per address instead: address i and target
 * i mod m. The open model's rates are shared out in proportion (a part with k of the n entries
 * runs at k/n of each rate and with k/n of its pool, on a seed of its own from its place in the
 * plan), so that the parts together run the plan's schedule and each client its share of it, as
 * one generator would; an open load without keep-alive, which cycles its addresses per request,
 * is split per address as UDP is. A plan whose addresses all live in one namespace is left as it
 * is. Throws HarnessError
 * NOT_LOOPBACK for an address no namespace of the run has.
 */
export function splitPlan(plan: LoadPlan, netnsOf: (address: string) => string | undefined): Map<string, LoadPlan> {
  const parts = new Map<string, { clientAddresses: string[]; targets: LoadPlan['targets'] }>()
  // Per address where the executor cycles its addresses per query or request (UDP; the open model
  // without keep-alive), else per connection.
  const perAddress = plan.udp !== undefined || (plan.open !== undefined && !plan.keepAlive)
  const entries = perAddress ? plan.clientAddresses.length : plan.connections
  for (let i = 0; i < entries; i++) {
    const address = plan.clientAddresses[i % plan.clientAddresses.length] as string
    const netns = netnsOf(address)
    if (netns === undefined) throw new HarnessError('NOT_LOOPBACK', `refusing source address ${address}: no client namespace of the run has it`)
    const part = parts.get(netns) ?? (parts.set(netns, { clientAddresses: [], targets: [] }).get(netns) as { clientAddresses: string[]; targets: LoadPlan['targets'] })
    part.clientAddresses.push(address)
    part.targets.push(plan.targets[i % plan.targets.length] as LoadPlan['targets'][number])
  }
  // One namespace: the plan itself, exactly as one generator runs it.
  if (parts.size === 1) {
    const netns = parts.keys().next().value as string
    return new Map([[netns, { ...plan, runNetns: netns }]])
  }
  // Each part's seed from its place in the plan (namespace names carry a random part).
  const share = (open: OpenPlan, k: number, n: number): OpenPlan => ({
    ...open,
    startRps: (open.startRps * n) / entries,
    warmupRps: (open.warmupRps * n) / entries,
    stages: open.stages.map((st) => ({ ...st, targetRps: (st.targetRps * n) / entries })),
    seed: deriveSeed(open.seed, `part ${k}`),
    maxConnections: Math.max(1, Math.ceil((open.maxConnections * n) / entries)),
  })
  return new Map([...parts].map(([netns, p], k) => {
    const n = p.clientAddresses.length
    return [netns, { ...plan, ...p, connections: n, runNetns: netns, ...(plan.open === undefined ? {} : { open: share(plan.open, k, n) }) }]
  }))
}

/** Start `executor` on `plan` split over the load generators by namespace (`children`), as one load. */
export function startSplitLoad(children: ReadonlyMap<string, Pick<Child, 'request'>>, executor: LoadExecutorName, plan: LoadPlan, netnsOf: (address: string) => string | undefined): RunningLoad {
  const parts = splitPlan(plan, netnsOf)
  return combineLoads([...parts].map(([netns, p]) => startRemoteLoad(children.get(netns) as Pick<Child, 'request'>, executor, p)))
}

/** Start `executor` on `plan` in `child` (ready already). */
export function startRemoteLoad(child: Pick<Child, 'request'>, executor: LoadExecutorName, plan: LoadPlan): RunningLoad {
  let last: LoadProgress = { responses: 0, errors: 0, measured: { requests: 0, errors: 0 } }
  const { signal, ...wirePlan } = plan
  const poll = setInterval(() => {
    child.request<LoadProgress>('progress').then(
      (p) => (last = p),
      () => {},
    )
  }, PROGRESS_INTERVAL_MS)
  const stop = () => void child.request('stop').catch(() => {})
  const result = (async (): Promise<LoadResult> => {
    const started = await child.request<{ ok: boolean; code?: HarnessErrorCode; message?: string }>('start', { executor, plan: wirePlan })
    if (!started.ok) throw new HarnessError(started.code ?? 'LOAD_FAILED', started.message ?? 'the load generator refused the plan')
    if (signal?.aborted === true) stop()
    else signal?.addEventListener('abort', stop, { once: true })
    const timeoutMs = Math.max(0, plan.epochMs + plan.durationMs - Date.now()) + plan.requestTimeoutMs + RESULT_MARGIN_MS
    try {
      return decodeLoadResult(await child.request<EncodedLoadResult>('result', undefined, { timeoutMs }))
    } catch (err) {
      throw err instanceof HarnessError && err.code !== 'CHILD_EXITED' ? err : new HarnessError('LOAD_FAILED', `the load generator in the client namespace failed: ${(err as Error).message}`, { cause: err })
    }
  })().finally(() => {
    clearInterval(poll)
    signal?.removeEventListener('abort', stop)
  })
  return { progress: () => last, stop, result }
}
