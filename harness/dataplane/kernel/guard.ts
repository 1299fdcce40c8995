/**
 * The cleanup guard of a run's network namespaces (the pattern of process/guarded.ts): a shell,
 * in a session of its own so that the terminal's Ctrl-C does not reach it, waits on a pipe from
 * svcbench. When the pipe closes, because svcbench finished its own cleanup or because it died
 * however it died (SIGKILL included), the guard kills every process left in the run's namespaces
 * and deletes the namespaces, which removes every link, route and rule in them. Nothing of a run
 * is ever outside its namespaces, so nothing else needs undoing.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'

// $1 = the run's namespace prefix (with its trailing dash, so that run 1 never matches run 10),
// kept in a variable: inside the function, $1 would be the function's own (empty) argument, and
// the empty prefix matches every namespace on the machine.
const GUARD = [
  "trap '' INT TERM HUP",
  'prefix=$1',
  '[ -n "$prefix" ] || exit 1',
  'cat >/dev/null',
  'ours() { ip netns list 2>/dev/null | cut -d" " -f1 | while read -r ns; do case "$ns" in "$prefix"*) echo "$ns";; esac; done; }',
  'for ns in $(ours); do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null; done',
  'for ns in $(ours); do ip netns del "$ns" 2>/dev/null; done',
].join('\n')

/** A started guard. */
export interface NetnsGuard {
  /** The guard's pid. */
  pid: number
  /** Let it go (after svcbench's own cleanup): it checks once more, then exits; resolves when it has. */
  release(): Promise<void>
}

/** Start the guard of every namespace whose name starts with `prefix`. */
export function startNetnsGuard(prefix: string): NetnsGuard {
  const sh = spawn('sh', ['-c', GUARD, 'svcbench-netns-guard', prefix], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
  const exited = new Promise<void>((resolve) => {
    sh.once('exit', () => resolve())
    sh.once('error', () => resolve())
  })
  sh.stdin?.on('error', () => {})
  // svcbench must be able to exit while the guard waits: the pipe closing is its whole job.
  sh.unref()
  ;(sh.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  return {
    pid: sh.pid ?? -1,
    async release() {
      sh.ref() // (unreferenced, this process could end before the guard does)
      sh.stdin?.end()
      await exited
    },
  }
}

/** The pids of every process inside the network namespaces named `names` (under /run/netns). */
export function pidsInNetns(names: readonly string[]): number[] {
  const inodes = new Set<number>()
  for (const n of names) {
    try {
      inodes.add(fs.statSync(`/run/netns/${n}`).ino)
    } catch {
      // not there (any more)
    }
  }
  if (inodes.size === 0) return []
  const pids: number[] = []
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      if (inodes.has(fs.statSync(`/proc/${e}/ns/net`).ino)) pids.push(Number(e))
    } catch {
      // gone meanwhile, or not ours to see
    }
  }
  return pids
}

/** Names of the network namespaces under /run/netns that start with `prefix`. */
export function netnsNamed(prefix: string): string[] {
  try {
    return fs.readdirSync('/run/netns').filter((n) => n.startsWith(prefix))
  } catch {
    return []
  }
}
