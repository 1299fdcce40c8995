/**
 * Who went where, from the node's connection tracking table: every new connection kube-proxy's
 * rules DNATed (`conntrack -E -e NEW`, an event per entry as the kernel confirms it, NAT already
 * applied: the reply tuple's source is the chosen pod), and the connections established at a
 * moment (`conntrack -L`), for keep-alive connections opened before the measured phase that carry
 * its traffic. conntrack-tools' line format: conntrack.8 and src/conntrack.c (`-o timestamp`
 * prefixes an event with `[seconds.micros]`).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { runTool } from './exec.ts'

/** One direction of a tracked connection. */
export interface Tuple {
  src: string
  dst: string
  sport: number
  dport: number
}

/** A conntrack entry (an event's, or a listing's). */
export interface TrackedFlow {
  /** The event's time (Date.now() ms); undefined in a listing. */
  atMs: number | undefined
  /** TCP state, e.g. SYN_SENT, ESTABLISHED; `UDP` for a UDP entry (which has none). */
  state: string
  orig: Tuple
  reply: Tuple
}

const TUPLE = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/g

/** Which entries a watch or a listing reads. */
export type TrackedProtocol = 'tcp' | 'udp'

/** A `conntrack -L` or `-E -o timestamp` line for `protocol`'s entries; undefined for anything else. */
export function parseConntrackLine(line: string, protocol: TrackedProtocol = 'tcp'): TrackedFlow | undefined {
  const stamp = /^\[(\d+)\.(\d+)\]/.exec(line)
  const state = protocol === 'tcp' ? /\btcp\s+6\s+\d+\s+([A-Z_]+)\s/.exec(line) : /\budp\s+17\s+\d+\s/.test(line) ? ['', 'UDP'] : null
  const tuples = [...line.matchAll(TUPLE)].map((m) => ({ src: m[1] as string, dst: m[2] as string, sport: Number(m[3]), dport: Number(m[4]) }))
  if (state === null || tuples.length < 2) return undefined
  const atMs = stamp === null ? undefined : Number(stamp[1]) * 1000 + Math.floor(Number(`0.${stamp[2]}`) * 1000)
  return { atMs, state: state[1] as string, orig: tuples[0] as Tuple, reply: tuples[1] as Tuple }
}

/** A running event watch in one namespace. */
export interface ConntrackWatch {
  /** Every new TCP connection seen so far, in order. */
  flows(): readonly TrackedFlow[]
  /** Forget what was seen before `atMs` (keeps memory bounded over warm-up). */
  forgetBefore(atMs: number): void
  /** Lines conntrack wrote to its standard error (e.g. ENOBUFS: events lost). */
  problems(): string
  pid: number
  stop(): void
}

/** Netlink receive buffer asked for, bytes: a burst of new connections must not overflow it. */
export const CONNTRACK_BUFFER_BYTES = 16 * 1024 * 1024

/**
 * Watch new TCP connections in `netns`; resolves once conntrack's netlink socket is open (its
 * subscription follows at once), so that no connection made afterwards is missed.
 */
export async function watchNewConnections(netns: string, keep: (f: TrackedFlow) => boolean, protocol: TrackedProtocol = 'tcp'): Promise<ConntrackWatch> {
  // In a process group of its own: the terminal's Ctrl-C (which stops the run and keeps its
  // results) must not end the watch before the counts are collected. It dies with the run anyway:
  // stop() kills it, and the namespace guard kills whatever is left in the run's namespaces.
  const p: ChildProcess = spawn('ip', ['netns', 'exec', netns, 'conntrack', '-E', '-e', 'NEW', '-p', protocol, '-o', 'timestamp', '-b', String(CONNTRACK_BUFFER_BYTES)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let flows: TrackedFlow[] = []
  let partial = ''
  let err = ''
  p.stdout?.on('data', (b: Buffer) => {
    const lines = (partial + b.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const l of lines) {
      const f = parseConntrackLine(l, protocol)
      if (f !== undefined && keep(f)) flows.push(f)
    }
  })
  p.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)))
  const watch: ConntrackWatch = {
    flows: () => flows,
    forgetBefore: (atMs) => void (flows = flows.filter((f) => (f.atMs ?? 0) >= atMs)),
    problems: () => err.split('\n').filter((l) => l.trim() !== '' && !/flow events have been shown|^NOTICE: /.test(l)).join('; '),
    pid: p.pid ?? -1,
    stop: () => void p.kill('SIGKILL'),
  }
  await untilNetlinkOpen(p, 5000)
  return watch
}

/** Until `p` has a NETLINK_NETFILTER socket (/proc/<pid>/net/netlink: protocol 12, its pid), or it exited, or `timeoutMs` passed. */
async function untilNetlinkOpen(p: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until && p.exitCode === null && p.signalCode === null) {
    try {
      const rows = fs.readFileSync(`/proc/${p.pid}/net/netlink`, 'utf8').split('\n').map((l) => l.trim().split(/\s+/))
      if (rows.some((r) => r[1] === '12' && r[2] === String(p.pid))) return
    } catch {
      // not started yet
    }
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** The TCP connections established in `netns` now (UDP: every live entry), that `keep` keeps. */
export async function establishedFlows(netns: string, keep: (f: TrackedFlow) => boolean, protocol: TrackedProtocol = 'tcp'): Promise<TrackedFlow[]> {
  const out = await runTool('conntrack', protocol === 'tcp' ? ['-L', '-p', 'tcp', '--state', 'ESTABLISHED'] : ['-L', '-p', 'udp'], { netns })
  return out
    .split('\n')
    .map((l) => parseConntrackLine(l, protocol))
    .filter((f): f is TrackedFlow => f !== undefined && keep(f))
}
