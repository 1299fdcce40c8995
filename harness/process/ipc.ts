/**
 * The IPC protocol between the run process and its children (pods, node proxies).
 * A child sends `{ type: 'ready' }` once listening, then answers requests by id.
 */
import { CHILD_CONFIG_ENV, type IpcReply, type IpcRequest } from '../model/wire.ts'

/**
 * Child side: wire up request handling, exit when the parent goes away (IPC disconnect,
 * which also happens when the parent is SIGKILLed), and ignore the terminal's SIGINT so the
 * parent can collect partial results before stopping us.
 */
export function serveIpc(handlers: Record<string, (payload: unknown) => unknown>): void {
  process.on('disconnect', () => process.exit(0))
  process.on('SIGINT', () => {})
  process.on('message', (raw: unknown) => {
    const req = raw as IpcRequest
    if (typeof req !== 'object' || req === null || typeof req.id !== 'number') return
    const handler = handlers[req.type]
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`unknown request type ${req.type}`)
        return handler(req.payload)
      })
      .then(
        (data) => process.send?.({ id: req.id, ok: true, data } satisfies IpcReply),
        (err: unknown) => process.send?.({ id: req.id, ok: false, error: String((err as Error)?.message ?? err) } satisfies IpcReply),
      )
  })
}

/** Child side: read the JSON config the parent put in the environment. */
export function readChildConfig<T>(): T {
  const raw = process.env[CHILD_CONFIG_ENV]
  if (raw === undefined) throw new Error(`${CHILD_CONFIG_ENV} is not set; this module is started by svcbench`)
  return JSON.parse(raw) as T
}
