/**
 * The parent's side of a load that runs in a child process (load-child.ts, in the client
 * namespace): a RunningLoad whose progress is polled over IPC, whose stop is a request, and
 * whose result comes back decoded.
 */
import { HarnessError, type HarnessErrorCode } from '../../errors.ts'
import { PROGRESS_INTERVAL_MS } from '../../load/drive.ts'
import { decodeLoadResult, type EncodedLoadResult } from './wire.ts'
import type { Child } from '../../process/child.ts'
import type { LoadExecutorName, LoadPlan, RunningLoad } from '../../load/types.ts'
import type { LoadProgress, LoadResult } from '../../model/measurements.ts'

/** Time the result may take after the load's end, ms (the closed model waits for requests in flight up to their timeout). */
export const RESULT_MARGIN_MS = 30_000

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
