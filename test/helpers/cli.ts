/** Run the svcbench CLI as a real child process, and find processes a run left behind. */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = path.join(ROOT, 'harness/cli/bin.js')

export interface CliRun {
  proc: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Exit code (or 128 + signal number style: null code is reported as -1). */
  done: Promise<number>
}

/** Start `node harness/cli/bin.js ...args`. */
export function startCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()))
  proc.stderr?.on('data', (b: Buffer) => (err += b.toString()))
  const done = new Promise<number>((resolve) => proc.on('close', (code) => resolve(code ?? -1)))
  return { proc, stdout: () => out, stderr: () => err, done }
}

/** Run the CLI to completion. */
export async function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const r = startCli(args, opts)
  const code = await r.done
  return { code, stdout: r.stdout(), stderr: r.stderr() }
}

function readEnviron(pid: string): string {
  try {
    return `\0${fs.readFileSync(`/proc/${pid}/environ`, 'utf8')}`
  } catch {
    return ''
  }
}

/** PIDs of live processes whose argv carries the run marker of CLI process `cliPid`. */
export function processesOfRun(cliPid: number): number[] {
  const marker = `--svcbench-run=${cliPid}-`
  const found: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      // Command pods (your own server) carry the run id in their environment instead.
      if (cmd.includes(marker) || readEnviron(entry).includes(`\0SVCBENCH_RUN=${cliPid}-`)) found.push(Number(entry))
    } catch {
      // process ended while we looked
    }
  }
  return found
}

/** Wait until `pred()` is true or `timeoutMs` passes. */
export async function waitFor(pred: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (pred()) return true
    await new Promise((r) => setTimeout(r, stepMs))
  }
  return pred()
}
