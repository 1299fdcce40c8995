/**
 * Running the kernel's tools (`ip`, `nsenter`, `nft`, `iptables-restore`, `conntrack`) to
 * completion, inside a network namespace or not, with a bounded number at once: the kernel
 * dataplane's setup is a few batches per namespace, started in parallel.
 */
import { spawn } from 'node:child_process'
import { HarnessError } from '../../errors.ts'

/** Options for {@link runTool}. */
export interface RunToolOptions {
  /** Written to the program's standard input, then closed. @default nothing */
  input?: string
  /** Network namespace to run it in (through `ip netns exec`). @default this process's */
  netns?: string
  /** Killed (and rejected) after this long, ms. @default 10000 */
  timeoutMs?: number
}

/** The program's standard output once it exited 0; else a HarnessError `NETNS_FAILED` with its standard error. */
export function runTool(bin: string, args: readonly string[], opts: RunToolOptions = {}): Promise<string> {
  const [file, argv] = opts.netns === undefined ? [bin, [...args]] : ['ip', ['netns', 'exec', opts.netns, bin, ...args]]
  return new Promise((resolve, reject) => {
    const p = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const what = `${opts.netns === undefined ? '' : `(in ${opts.netns}) `}${bin} ${args.join(' ')}`.slice(0, 200)
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 10_000)
    p.stdout.on('data', (b: Buffer) => (out += b.toString()))
    p.stderr.on('data', (b: Buffer) => (err += b.toString()))
    p.stdin.on('error', () => {}) // a program that exits without reading its input
    p.once('error', (e) => {
      clearTimeout(timer)
      reject(new HarnessError('NETNS_FAILED', `${what}: could not start: ${e.message}`, { cause: e }))
    })
    p.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new HarnessError('NETNS_FAILED', `${what}: ${signal !== null ? `killed (${signal})` : `exit ${code}`}${err.trim() === '' ? '' : `: ${err.trim().split('\n').slice(0, 5).join(' | ')}`}`))
    })
    p.stdin.end(opts.input ?? '')
  })
}

/**
 * One `ip -batch` of `lines` (`ip -n NETNS -batch -` inside a namespace). `-force` goes on past
 * a failing line, so that a removal removes all it can; setup does not use it.
 */
export async function ipBatch(lines: readonly string[], opts: { netns?: string; force?: boolean } = {}): Promise<void> {
  if (lines.length === 0) return
  await runTool('ip', [...(opts.netns === undefined ? [] : ['-n', opts.netns]), ...(opts.force === true ? ['-force'] : []), '-batch', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: 60_000 })
}

/**
 * An `ip -batch` per namespace, spread over `workers` shells. Each batch runs under `nsenter
 * --net` (a setns only), not `ip -n`, which also unshares a mount namespace and remounts /sys for
 * every namespace (timed once by hand on a 2-core machine, not a committed measurement: 1000 pod
 * namespaces configured in about 1.2 s this way, 2.5 s with one `ip -n` process each from Node).
 */
export async function ipBatchesInNetns(batches: readonly (readonly [string, readonly string[]])[], workers: number): Promise<void> {
  const groups = Array.from({ length: Math.min(workers, batches.length) }, (_, k) => batches.filter((_, i) => i % workers === k))
  const script = (group: typeof batches) =>
    group.map(([ns, lines]) => `nsenter --net=/run/netns/${ns} ip -batch - <<'SVB_EOF' || { echo "(in namespace ${ns})" >&2; exit 1; }\n${lines.join('\n')}\nSVB_EOF\n`).join('')
  await Promise.all(groups.map((g) => runTool('sh', [], { input: script(g), timeoutMs: 60_000 })))
}

/** `fn` over every item, at most `limit` at once; rejects with the first failure once all settled. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  let failure: unknown
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T
      try {
        await fn(item)
      } catch (err) {
        failure ??= err
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure !== undefined) throw failure
}
