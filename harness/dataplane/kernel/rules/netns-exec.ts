/**
 * Runs one rule tool (nft, iptables-save, iptables-restore, conntrack) inside a network namespace
 * with `ip netns exec`, with its input on stdin and its output collected. No shell: every argument
 * is passed as is. A failure is a HarnessError carrying the tool's stderr.
 */
import { spawn } from 'node:child_process'
import { HarnessError, type HarnessErrorCode } from '../../../errors.ts'

/**
 * The code of every rule-tool failure. TODO(#17): a `KERNEL_RULES_FAILED` code of its own in
 * harness/errors.ts; until then the one for an endpoint set a node could not take.
 */
export const KERNEL_RULES_ERROR_CODE: HarnessErrorCode = 'ENDPOINTS_PUBLISH_FAILED'

/** Time one tool run may take before it is killed, ms. */
export const DEFAULT_TOOL_TIMEOUT_MS = 10_000

/** What a tool run printed and how it ended. */
export interface ToolResult {
  /** Exit code (null when killed by a signal). */
  code: number | null
  /** Standard output. */
  stdout: string
  /** Standard error. */
  stderr: string
}

/** Options for {@link runInNetns}. */
export interface RunInNetnsOptions {
  /** Text written to the tool's stdin. @default '' */
  stdin?: string
  /** Kill the tool after this long, ms. @default DEFAULT_TOOL_TIMEOUT_MS */
  timeoutMs?: number
}

/** Runs `ip netns exec <netns> <argv…>` and resolves with its exit code and output (rejects only when it cannot start). */
export function runInNetns(netns: string, argv: readonly string[], opts: RunInNetnsOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new HarnessError(KERNEL_RULES_ERROR_CODE, `${argv[0] ?? 'tool'} in netns "${netns}" could not start: ${err.message}`, { cause: err }))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    // A tool that exits before reading its input closes the pipe: that is its exit code's business.
    child.stdin.on('error', () => {})
    child.stdin.end(opts.stdin ?? '')
  })
}

/** Like {@link runInNetns}, but a non-zero exit is a HarnessError saying what failed, with the tool's stderr. */
export async function mustRunInNetns(netns: string, argv: readonly string[], what: string, opts: RunInNetnsOptions = {}): Promise<string> {
  const r = await runInNetns(netns, argv, opts)
  if (r.code !== 0) {
    const how = r.code === null ? 'was killed' : `exited ${r.code}`
    throw new HarnessError(KERNEL_RULES_ERROR_CODE, `${what} in netns "${netns}": ${argv.join(' ')} ${how}: ${r.stderr.trim() || r.stdout.trim()}`)
  }
  return r.stdout
}
