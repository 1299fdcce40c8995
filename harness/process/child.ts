/**
 * Child processes of a run. Every child is registered here until it has exited, so that
 * `killAllChildren()` (called on error, SIGINT, SIGTERM and process exit) leaves nothing
 * behind. Children also exit by themselves when the IPC channel to the parent closes.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { HarnessError } from '../errors.ts'
import { bundledEntry } from './bundle.ts'
import { CHILD_CONFIG_ENV, RUN_MARKER_PREFIX, type IpcHello, type IpcReply } from '../model/wire.ts'

const require = createRequire(import.meta.url)
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href

const live = new Set<ChildProcess>()
/** Process groups of foreign servers (command pods) that children started, by child. */
const groups = new Map<ChildProcess, number>()

function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** Kill every live child with SIGKILL (and the process groups of command pods). Synchronous, so it is safe in an `exit` handler. */
export function killAllChildren(): void {
  for (const g of groups.values()) killGroup(g)
  for (const c of live) {
    try {
      c.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
}

/** How many children are alive right now (for tests). */
export function liveChildCount(): number {
  return live.size
}

const TAIL_BYTES = 4096

/** A started child process speaking the svcbench IPC protocol. */
export interface Child {
  readonly name: string
  readonly pid: number
  /** Resolves with whatever the child sent with `ready`. */
  readonly ready: Promise<unknown>
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Send a request and wait for the reply. */
  request<T = unknown>(type: string, payload?: unknown, opts?: { timeoutMs?: number }): Promise<T>
  /** Last few KiB of the child's stdout+stderr, for error messages. */
  outputTail(): string
  /** True once the process has exited. */
  isExited(): boolean
  /** SIGKILL the process (and the process group it reported as `groupPid`) and wait for it to exit. */
  kill(): Promise<void>
  /** Send a signal (e.g. SIGTERM for a graceful shutdown) without waiting. */
  signal(sig: NodeJS.Signals): void
  /** What the child sent with `{ type: 'final' }` before exiting, if anything. */
  finalData(): unknown
}

/** Options for {@link startChild}. */
export interface StartChildOptions {
  /** Shown in errors, e.g. `pod "pod-2"`. */
  label: string
  /** JSON-serialisable config, passed in the environment. */
  config: unknown
  /** Run id, put on the child's argv so its processes can be found. */
  runId: string
  /** Time allowed to become ready. @default 10000 */
  readyTimeoutMs?: number
  /** Extra Node.js flags for the child, e.g. `--max-semi-space-size=32`. */
  nodeFlags?: string[]
  /** Environment variables set for this child on top of this process's. */
  env?: Record<string, string>
  /**
   * Network namespace (a name under /run/netns) the child runs in: started through
   * `ip netns exec <netns>`, which execs Node in place (same pid), keeping the IPC channel.
   * @default this process's network namespace
   */
  netns?: string
}

/** The `ip` program that starts children inside a network namespace. */
export const IP_BIN = 'ip'

/**
 * Fork `entry` (bundled, or TypeScript via tsx) with the IPC channel. Inside a namespace, fork
 * runs `ip netns exec NS node ...` instead of node: `ip` execs Node in place, so the pid is
 * Node's and the IPC descriptor (inherited, NODE_CHANNEL_FD) stays open.
 */
function forkEntry(entry: string, opts: StartChildOptions): ChildProcess {
  // Plain Node on a prebuilt bundle when there is one (bundle.ts), else the TypeScript loader.
  const bundled = bundledEntry(entry)
  const nodeArgs = [...(bundled === undefined ? ['--import', TSX_LOADER] : []), ...(opts.nodeFlags ?? [])]
  const inNetns = opts.netns === undefined ? {} : { execPath: IP_BIN, execArgv: ['netns', 'exec', opts.netns, process.execPath, ...nodeArgs] }
  return fork(bundled ?? entry, [`${RUN_MARKER_PREFIX}${opts.runId}`], {
    execArgv: nodeArgs,
    ...inNetns,
    env: { ...process.env, ...opts.env, [CHILD_CONFIG_ENV]: JSON.stringify(opts.config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  })
}

/** Fork a child entry module (bundled, or TypeScript via tsx) as a child of this run. */
export function startChild(entry: string, opts: StartChildOptions): Child {
  const proc = forkEntry(entry, opts)
  live.add(proc)
  let tail = ''
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-TAIL_BYTES)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)

  let exited = false
  const exitedP = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = true
      live.delete(proc)
      killGroup(groups.get(proc))
      groups.delete(proc)
      resolve({ code, signal })
    })
  })

  let finalData: unknown
  let nextId = 1
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const failPending = (why: string) => {
    for (const p of pending.values()) p.reject(new HarnessError('CHILD_EXITED', `${opts.label} ${why}`))
    pending.clear()
  }
  void exitedP.then(({ code, signal }) => failPending(`exited (code ${code}, signal ${signal}) with a request pending`))

  const ready = new Promise<unknown>((resolve, reject) => {
    const timeoutMs = opts.readyTimeoutMs ?? 10_000
    const timer = setTimeout(() => {
      reject(new HarnessError('CHILD_START_FAILED', `${opts.label} not ready after ${timeoutMs}ms${formatTail(tail)}`))
    }, timeoutMs)
    proc.on('message', (raw: unknown) => {
      const msg = raw as IpcHello | IpcReply
      if ('type' in msg && (msg as { type: string }).type === 'group') {
        // A supervisor of a foreign server names the server's process group: it dies with the child.
        const g = (msg as { groupPid?: unknown }).groupPid
        if (typeof g === 'number' && !exited) groups.set(proc, g)
      } else if ('type' in msg && msg.type === 'ready') {
        clearTimeout(timer)
        resolve(msg.data)
      } else if ('type' in msg && (msg as { type: string }).type === 'final') {
        finalData = (msg as { data?: unknown }).data
      } else if ('type' in msg && msg.type === 'failed') {
        clearTimeout(timer)
        reject(new HarnessError('CHILD_START_FAILED', `${opts.label} failed to start: ${msg.error}`))
      } else if ('id' in msg) {
        const p = pending.get(msg.id)
        if (p === undefined) return
        pending.delete(msg.id)
        if (msg.ok) p.resolve(msg.data)
        else p.reject(new HarnessError('CHILD_EXITED', `${opts.label}: ${msg.error ?? 'request failed'}`))
      }
    })
    void exitedP.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new HarnessError('CHILD_START_FAILED', `${opts.label} exited before it was ready (code ${code}, signal ${signal})${formatTail(tail)}`))
    })
    proc.once('error', (err) => {
      clearTimeout(timer)
      reject(new HarnessError('CHILD_START_FAILED', `${opts.label} could not be started`, { cause: err }))
    })
  })
  ready.catch(() => {}) // observed by the caller; avoid unhandled rejections when it is not

  return {
    name: opts.label,
    pid: proc.pid ?? -1,
    ready,
    exited: exitedP,
    request<T>(type: string, payload?: unknown, ropts: { timeoutMs?: number } = {}): Promise<T> {
      if (exited || !proc.connected) return Promise.reject(new HarnessError('CHILD_EXITED', `${opts.label} is not running`))
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new HarnessError('CHILD_EXITED', `${opts.label} did not answer "${type}" within ${ropts.timeoutMs ?? 5000}ms`))
        }, ropts.timeoutMs ?? 5000)
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer)
            resolve(v as T)
          },
          reject: (e) => {
            clearTimeout(timer)
            reject(e)
          },
        })
        proc.send({ id, type, payload })
      })
    },
    outputTail: () => tail,
    isExited: () => exited,
    async kill() {
      if (!exited) {
        killGroup(groups.get(proc))
        proc.kill('SIGKILL')
        await exitedP
      }
    },
    signal(sig) {
      if (!exited) proc.kill(sig)
    },
    finalData: () => finalData,
  }
}

/** The error for a child of the run that exited without being killed on purpose (its last output lines included). */
export function exitedDuringRun(dead: Pick<Child, 'name' | 'outputTail'>): HarnessError {
  return new HarnessError('CHILD_EXITED', `${dead.name} exited during the run${dead.outputTail() === '' ? '' : `: ${dead.outputTail().trim().split('\n').slice(-3).join(' | ')}`}`)
}

function formatTail(tail: string): string {
  const t = tail.trim()
  return t === '' ? '' : `; its last output:\n${t.split('\n').slice(-10).map((l) => `    ${l}`).join('\n')}`
}
