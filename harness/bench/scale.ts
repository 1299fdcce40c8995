/**
 * npm run bench:scale — start-up, tear-down and memory at several cluster sizes, on the proxy
 * dataplane and on the kernel dataplane (its network namespaces, links and kube-proxy's rules
 * built and removed: issue #17's targets, ready in under 5 s and torn down in under 2 s at
 * 10 × 100), whether the harness's memory grows with run length, and runs at 1,000 connections
 * and at 10,000 connections from 10,000 client addresses.
 *
 *   npm run bench:scale [-- --sizes 3x6,10x100,20x500] [--kernel-sizes 10x100] [--long 60] [--short 10] [--no-length]
 *
 * The kernel sizes need Linux, root, nft, iptables and conntrack; without them they are skipped
 * with a note (`--kernel-sizes ''` skips them too).
 * Sizes are nodes × pods. Memory is the resident set (VmRSS) of every process of the cluster,
 * read from /proc once all are ready. Writes reports/bench/scale-<time>.json.
 */
import fs from 'node:fs'
import { resolveScenario } from '../scenario/resolve.ts'
import { runScenario } from '../runner.ts'
import { leaseBlock } from '../cluster/address-plan.ts'
import { startCluster } from '../cluster/cluster.ts'
import { MAX_PODS } from '../scenario/schema.ts'
import { alignLeft } from '../util/text-table.ts'
import { writeBenchJson } from './output.ts'
import { ScenarioError } from '../errors.ts'
import { flag, numberFlag, has } from './args.ts'
import { kernelRowsUnavailable } from './proxy-kernel.ts'
import type { DataplaneName } from '../model/scenario.ts'

const sizesFlag = (name: string, fallback: string) => flag(name, fallback).split(',').filter((x) => x !== '').map((s) => s.split('x').map(Number) as [number, number])
const SIZES = sizesFlag('--sizes', '3x6,10x100,20x500')
const KERNEL_SIZES = sizesFlag('--kernel-sizes', '10x100')
/** Issue #17's targets for a kernel cluster of 10 × 100: ready and torn down within, s. */
const KERNEL_TARGETS = { readySec: 5, teardownSec: 2 }
const LONG_S = numberFlag('--long', 60)
const SHORT_S = numberFlag('--short', 10)

/** Resident set size of a process, MB; 0 when it is gone. */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? 0 : Number(m[1]) / 1024
  } catch {
    return 0
  }
}

interface SizeResult {
  dataplane: DataplaneName
  nodes: number
  pods: number
  readySec: number | null
  teardownSec: number | null
  clusterRssMb: number | null
  mbPerPod: number | null
  note?: string
}
const sizes: SizeResult[] = []
/** Start and stop one cluster of `nodes` × `pods` on `dataplane`, timed. */
async function measureSize(nodes: number, pods: number, dataplane: DataplaneName): Promise<SizeResult> {
  const none = { dataplane, nodes, pods, readySec: null, teardownSec: null, clusterRssMb: null, mbPerPod: null }
  let v
  try {
    v = resolveScenario({ name: 'scale', cluster: { nodes, replicas: pods, pod: { latencyMs: 0 } }, service: { dataplane } }).variants[0]!
  } catch (e) {
    const why = e instanceof ScenarioError ? e.message : String(e)
    return { ...none, note: `not runnable: ${why.split('\n')[0]} (MAX_PODS is ${MAX_PODS})` }
  }
  const lease = await leaseBlock()
  try {
    const t0 = Date.now()
    const cluster = await startCluster(v, { plan: lease.plan, seed: 1, runId: `${process.pid}-scale`, readyTimeoutMs: 120_000 })
    const readySec = (Date.now() - t0) / 1000
    const procs = cluster.processes()
    const podRss = procs.filter((p) => p.role === 'pod').reduce((s, p) => s + rssMb(p.pid), 0)
    const allRss = procs.reduce((s, p) => s + rssMb(p.pid), 0)
    const t1 = Date.now()
    await cluster.stop()
    const teardownSec = (Date.now() - t1) / 1000
    return { dataplane, nodes, pods, readySec, teardownSec, clusterRssMb: Math.round(allRss), mbPerPod: Math.round((podRss / pods) * 10) / 10 }
  } finally {
    await lease.release()
  }
}
const kernelUnavailable = KERNEL_SIZES.length === 0 ? null : kernelRowsUnavailable()
const runs: [number, number, DataplaneName][] = [...SIZES.map(([n, p]): [number, number, DataplaneName] => [n, p, 'proxy']), ...KERNEL_SIZES.map(([n, p]): [number, number, DataplaneName] => [n, p, 'kernel'])]
for (const [nodes, pods, dataplane] of runs) {
  if (dataplane === 'kernel' && kernelUnavailable !== null) {
    sizes.push({ dataplane, nodes, pods, readySec: null, teardownSec: null, clusterRssMb: null, mbPerPod: null, note: `skipped: ${kernelUnavailable}` })
    continue
  }
  const r = await measureSize(nodes, pods, dataplane)
  sizes.push(r)
  process.stderr.write(r.readySec === null ? `${dataplane} ${nodes}×${pods}: ${r.note}\n` : `${dataplane} ${nodes}×${pods}: ready in ${r.readySec.toFixed(2)} s, torn down in ${r.teardownSec!.toFixed(2)} s, ${r.clusterRssMb} MB resident, ${r.mbPerPod} MB per pod\n`)
}

/** Peak RSS of this (the harness) process during a run of `seconds`. */
async function harnessPeak(seconds: number, connections: number, clientIps: number): Promise<{ peakMb: number; rps: number; errors: number }> {
  let peak = rssMb(process.pid)
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(process.pid))), 200)
  try {
    const r = await runScenario(resolveScenario({ name: 'scale-length', cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 1 } }, load: { duration: `${seconds}s`, warmup: '1s', connections, clientIps } }))
    const v = r.variants[0]!
    return { peakMb: Math.round(peak), rps: Math.round(v.requests.rps), errors: v.errors.total }
  } finally {
    clearInterval(timer)
  }
}

let length: { shortSec: number; longSec: number; shortPeakMb: number; longPeakMb: number; ratio: number } | null = null
if (!has('--no-length')) {
  globalThis.gc?.()
  const s = await harnessPeak(SHORT_S, 50, 64)
  globalThis.gc?.()
  const l = await harnessPeak(LONG_S, 50, 64)
  length = { shortSec: SHORT_S, longSec: LONG_S, shortPeakMb: s.peakMb, longPeakMb: l.peakMb, ratio: Math.round((l.peakMb / s.peakMb) * 100) / 100 }
  process.stderr.write(`harness peak: ${SHORT_S} s run ${s.peakMb} MB, ${LONG_S} s run ${l.peakMb} MB\n`)
}
const many = await harnessPeak(3, 1000, 1000)
process.stderr.write(`1,000 connections: ${many.rps} req/s, ${many.errors} errors\n`)
const addresses = await harnessPeak(3, 10_000, 10_000)
process.stderr.write(`10,000 connections from 10,000 client addresses: ${addresses.rps} req/s, ${addresses.errors} errors\n`)

process.stdout.write('\nbench:scale\n\n')
const rows = [['dataplane', 'nodes × pods', 'ready s', 'torn down s', 'resident MB', 'MB per pod', ''], ...sizes.map((s) => [s.dataplane, `${s.nodes} × ${s.pods}`, s.readySec?.toFixed(2) ?? '-', s.teardownSec?.toFixed(2) ?? '-', String(s.clusterRssMb ?? '-'), String(s.mbPerPod ?? '-'), s.note ?? ''])]
process.stdout.write(`${alignLeft(rows)}\n`)
for (const k of sizes.filter((x) => x.dataplane === 'kernel' && x.nodes === 10 && x.pods === 100 && x.readySec !== null)) {
  const met = (x: number, limit: number) => (x < limit ? 'met' : 'NOT met')
  process.stdout.write(`\nkernel 10 × 100: ready in ${k.readySec!.toFixed(2)} s (target < ${KERNEL_TARGETS.readySec} s: ${met(k.readySec!, KERNEL_TARGETS.readySec)}), torn down in ${k.teardownSec!.toFixed(2)} s (target < ${KERNEL_TARGETS.teardownSec} s: ${met(k.teardownSec!, KERNEL_TARGETS.teardownSec)})\n`)
}
if (length !== null) process.stdout.write(`\nharness peak memory: ${length.shortSec} s run ${length.shortPeakMb} MB, ${length.longSec} s run ${length.longPeakMb} MB (ratio ${length.ratio}; target ≤ 1.2)\n`)
process.stdout.write(`1,000 connections from 1,000 client addresses: ${many.rps.toLocaleString('en-US')} req/s, ${many.errors} errors, harness peak ${many.peakMb} MB\n`)
process.stdout.write(`10,000 connections from 10,000 client addresses: ${addresses.rps.toLocaleString('en-US')} req/s, ${addresses.errors} errors, harness peak ${addresses.peakMb} MB\n`)
writeBenchJson('scale', { sizes, length, connections1000: many, addresses10000: addresses })
