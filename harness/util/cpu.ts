/**
 * CPU use of a run's processes, read from /proc (Linux): utime + stime of each process, and the
 * machine's busy time from /proc/stat. A sampler reads every process it is given at an interval
 * and adds up each process's CPU time over the window, so processes that start or die during
 * the window (restarted pods) still count for the time they ran.
 */
import fs from 'node:fs'
import { procStatFields } from './proc.ts'

/** Clock ticks per second of /proc times (USER_HZ; 100 on every Linux svcbench runs on). */
const CLK_TCK = 100

/** A process's CPU time (user + system), ms; undefined when it is gone or /proc is unavailable. */
export function processCpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`)
}

/** Each thread's CPU time (user + system), ms, by thread id; empty when the process is gone. */
export function threadCpuMs(pid: number): Map<number, number> {
  const out = new Map<number, number>()
  let tids: string[]
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    const ms = statCpuMs(`/proc/${pid}/task/${tid}/stat`)
    if (ms !== undefined) out.set(Number(tid), ms)
  }
  return out
}

/** utime + stime of a /proc stat file, ms. */
function statCpuMs(file: string): number | undefined {
  const rest = procStatFields(file)
  if (rest === undefined) return undefined
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / CLK_TCK : undefined
}

/** The machine's busy and total CPU time so far, ms (all cores). */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] as string
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const idle = (f[3] ?? 0) + (f[4] ?? 0)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK }
  } catch {
    return undefined
  }
}

/** A process to sample: its role, a name within the role, its pid. */
export interface SampledProcess {
  role: 'load-generator' | 'proxy' | 'pod' | 'load-balancer'
  name: string
  pid: number
}

/**
 * Roles whose threads are sampled one by one too: the proxies and the load balancer relay bytes
 * in a thread of their own besides Node's main thread, so the process can use more than a core
 * while neither thread is saturated, or one thread be saturated inside a process under a core.
 */
const THREADED_ROLES: ReadonlySet<SampledProcess['role']> = new Set(['proxy', 'load-balancer'])

/** CPU used per process over a window, as percent of one core. */
export interface CpuUsage {
  /** Wall time of the window, ms. */
  windowMs: number
  /**
   * Per process (role/name), percent of one core (100 = one core busy all the time); for
   * proxies and load balancers also their busiest thread's share of a core.
   */
  byProcess: { role: SampledProcess['role']; name: string; pct: number; busiestThreadPct?: number }[]
  /** Machine-wide busy share of all cores, percent; null without /proc/stat. */
  machineBusyPct: number | null
}

/** Sample `list()` every `intervalMs` from `start()` (or from `startAt(epochMs)`) to `stop()`. */
export function createCpuSampler(list: () => SampledProcess[], intervalMs = 500): { start(): void; startAt(epochMs: number): void; stop(): CpuUsage } {
  const last = new Map<number, number>()
  const used = new Map<string, { role: SampledProcess['role']; name: string; ms: number; threads?: Map<number, number> }>()
  // Per thread id: its last reading, and the process key it belongs to.
  const lastThread = new Map<number, number>()
  let t0 = 0
  let m0: { busy: number; total: number } | undefined
  let timer: NodeJS.Timeout | undefined
  let pending: NodeJS.Timeout | undefined
  const sample = () => {
    for (const p of list()) {
      const now = processCpuMs(p.pid)
      if (now === undefined) continue
      const key = `${p.role}/${p.name}`
      const u = used.get(key) ?? { role: p.role, name: p.name, ms: 0 }
      used.set(key, u)
      const before = last.get(p.pid)
      last.set(p.pid, now)
      // A process first seen mid-window counts from its first sample on.
      if (before !== undefined) u.ms += Math.max(0, now - before)
      if (THREADED_ROLES.has(p.role)) {
        const threads = (u.threads ??= new Map())
        for (const [tid, ms] of threadCpuMs(p.pid)) {
          const b = lastThread.get(tid)
          lastThread.set(tid, ms)
          if (b !== undefined) threads.set(tid, (threads.get(tid) ?? 0) + Math.max(0, ms - b))
        }
      }
    }
  }
  const start = () => {
    t0 = Date.now()
    m0 = machineCpuMs()
    sample()
    timer = setInterval(sample, intervalMs)
    timer.unref()
  }
  return {
    start,
    startAt(epochMs) {
      pending = setTimeout(start, Math.max(0, epochMs - Date.now()))
    },
    stop() {
      if (pending !== undefined) clearTimeout(pending)
      if (timer !== undefined) clearInterval(timer)
      sample()
      const windowMs = Math.max(1, Date.now() - t0)
      const m1 = machineCpuMs()
      const machineBusyPct = m0 === undefined || m1 === undefined || m1.total === m0.total ? null : Math.round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 1000) / 10
      return {
        windowMs,
        byProcess: [...used.values()].map((u) => {
          const pct = (ms: number) => Math.round((ms / windowMs) * 1000) / 10
          const row = { role: u.role, name: u.name, pct: pct(u.ms) }
          // A thread cannot use more than its process over the same window: a reading above it is
          // the skew of reading the thread's and the process's /proc files a moment apart (up to a
          // clock tick of 10 ms at each end), so the process's figure bounds it.
          return u.threads === undefined ? row : { ...row, busiestThreadPct: Math.min(row.pct, pct(Math.max(0, ...u.threads.values()))) }
        }),
        machineBusyPct,
      }
    },
  }
}
