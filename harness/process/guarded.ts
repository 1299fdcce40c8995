/**
 * A foreign program (HAProxy, nginx) started so that it cannot outlive the process that started
 * it, however that process ends (SIGKILL included): a shell between them starts the program, then
 * waits on a pipe from the starter; when the pipe closes (the starter exited or died), the shell
 * kills the program. No process outlives a run.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { procStatFields } from '../util/proc.ts'

/** A process exists and is not a zombie (Linux /proc). */
export function isRunning(pid: number): boolean {
  const state = procStatFields(`/proc/${pid}/stat`)?.[0]
  return state !== undefined && state !== 'Z'
}

/** A started program. */
export interface Guarded {
  /** The program's own pid (not the guarding shell's), once it started. */
  pid: Promise<number | null>
  /** Its standard error so far. */
  stderr(): string
  /** Whether the program is still running (not exited, not a zombie waiting for the guard). */
  running(): boolean
  /** Kill the program now (SIGKILL) and release the guard. */
  kill(): void
}

// $1.. = program and arguments. The program's pid goes out first; then the shell waits for its
// standard input to close and kills the program.
const GUARD = '"$@" </dev/null >/dev/null & c=$!; echo "$c"; cat >/dev/null; kill -9 "$c" 2>/dev/null; wait "$c"'

/** Start `bin` with `argv` under the guard. */
export function spawnGuarded(bin: string, argv: string[]): Guarded {
  const sh: ChildProcess = spawn('sh', ['-c', GUARD, 'svcbench-guard', bin, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] })
  let err = ''
  let out = ''
  sh.stderr?.on('data', (b: Buffer) => (err += b.toString()))
  const pid = new Promise<number | null>((resolve) => {
    sh.stdout?.on('data', (b: Buffer) => {
      out += b.toString()
      const line = out.split('\n')[0]
      if (out.includes('\n')) resolve(Number(line) > 0 ? Number(line) : null)
    })
    sh.once('exit', () => resolve(null))
    sh.once('error', () => resolve(null))
  })
  let programPid: number | null = null
  void pid.then((p) => (programPid = p))
  return {
    pid,
    stderr: () => err,
    running: () => programPid !== null && isRunning(programPid),
    kill() {
      // Only while the guarding shell lives: once it has waited for the program, the pid is free
      // and may already be another process's.
      if (programPid !== null && sh.exitCode === null && sh.signalCode === null) {
        try {
          process.kill(programPid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      sh.stdin?.destroy()
    },
  }
}
