/**
 * npm run bench:proxy — the dataplane benchmark: the same three pods, the same load (keep-alive,
 * 50 connections), several alternating repetitions, one row per path:
 *
 *   direct (plain autocannon)   autocannon's own client straight to one pod
 *   direct (svcbench load)      svcbench's load path (source-address shim + µs histogram), same pod
 *   svcbench connection         svcbench's NodePort proxy, one decision per connection (L4)
 *   svcbench request            svcbench's NodePort proxy, one decision per request (L7)
 *   haproxy tcp                 HAProxy `mode tcp`, `balance roundrobin`, one thread
 *   nginx stream                nginx stream proxy, one worker
 *   nginx http keep-alive       nginx HTTP proxy with upstream keep-alive, one worker
 *   kernel nft DNAT (hand-written)  the kernel dataplane's topology (client namespace → node
 *                               namespace → pod namespaces) with one minimal nft DNAT rule: the floor
 *   kernel nftables             the same topology with kube-proxy's nftables rules (svcbench's
 *                               `kernel` dataplane, as a run uses it)
 *   kernel iptables             the same with kube-proxy's iptables rules
 *
 * HAProxy and nginx rows need `apt-get install -y haproxy nginx libnginx-mod-stream`; without
 * them the rows are skipped with a message; so are the kernel rows without root, nft, iptables
 * and conntrack (proxy-kernel.ts). Their pods are the same kind as the other rows' (no service
 * time, 128-byte answers), in their own namespaces; the load generator runs in the client
 * namespace there. The kernel's forwarding is charged to no process: "machine µs/req" (every
 * core's busy time over the requests) is the figure that compares a kernel row with the others. Every figure is a median over repetitions, and every
 * ratio the median of the per-repetition ratios (paths measured back to back), printed with a
 * distribution-free interval for that median (stats/median-ci.ts): a target is "met" only when
 * the whole interval meets it, "not met" when none of it does, else "inconclusive". CPU is the
 * proxy's own process (percent of one core; also per request), the pods' and the load generator's.
 *
 *   npm run bench:proxy [-- --seconds 2] [--reps 16] [--warmup-reps 1] [--connections 50]
 *                       [--paths connection,haproxy] [--also-relay onread]
 *
 * Before the measured repetitions, `--warmup-reps` passes over every path are run and thrown
 * away, so that every proxy is measured in its steady state with Node's JIT done (one run without
 * it had its first repetition at 0.84 of HAProxy, the median of its other four at 0.98).
 *
 * `--paths` keeps the rows whose name contains one of the comma-separated words (for quick A/B
 * runs; the ratio of a target is printed only when both of its rows ran). `--also-relay MODE`
 * adds a second connection proxy row whose relay is MODE (native, raw, onread or data; see proxy/relay/mode.ts),
 * measured beside the first.
 *
 * Writes reports/bench/proxy-<time>.json.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { leaseBlock } from '../cluster/address-plan.ts'
import { startChild, killAllChildren, type Child } from '../process/child.ts'
import { prepareBundles } from '../process/bundle.ts'
import { RELAY_MODES } from '../proxy/relay/mode.ts'
import { runLoad } from '../load/autocannon.ts'
import { summarizeLatency } from '../stats/latency.ts'
import { createCpuSampler, type SampledProcess } from '../util/cpu.ts'
import { alignColumns } from '../util/text-table.ts'
import { writeBenchJson } from './output.ts'
import { median } from '../gate/verdict.ts'
import { medianInterval, targetVerdict } from '../stats/median-ci.ts'
import { tcpConnects } from '../util/probe.ts'
import { spawnGuarded, type Guarded } from '../process/guarded.ts'
import { flag, numberFlag } from './args.ts'
import { kernelRowsUnavailable, startKernelRows } from './proxy-kernel.ts'
import type { PodConfig, NodeProxyConfig } from '../model/wire.ts'
import { KERNEL_IPVS_TIMEOUTS } from '../model/kube-proxy.ts'
import type { RelayMode } from '../proxy/relay/mode.ts'

const SECONDS = numberFlag('--seconds', 2)
const REPS = numberFlag('--reps', 16)
const WARMUP_REPS = numberFlag('--warmup-reps', 1)
const CONNECTIONS = numberFlag('--connections', 50)
const ONLY = flag('--paths', '').split(',').map((w) => w.trim()).filter((w) => w !== '')
const ALSO_RELAY = flag('--also-relay', '')
if (ALSO_RELAY !== '' && !RELAY_MODES.includes(ALSO_RELAY as RelayMode)) {
  process.stderr.write(`bench:proxy: --also-relay: got "${ALSO_RELAY}", expected one of ${RELAY_MODES.join(', ')}\n`)
  process.exit(2)
}
const POD_ENTRY = fileURLToPath(new URL('../pods/main.ts', import.meta.url))
const PROXY_ENTRY = fileURLToPath(new URL('../proxy/main.ts', import.meta.url))
const PORT = 30080

await prepareBundles()
const lease = await leaseBlock()
const plan = lease.plan
const runId = `${process.pid}-bench-proxy`
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-bench-proxy-'))
const foreign: Guarded[] = []
const cleanup = () => {
  killAllChildren()
  for (const p of foreign) p.kill()
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))

const pods = [0, 1, 2].map((j) => ({ name: `pod-${j + 1}`, address: plan.pod(j), port: 8080 }))
const children: Child[] = pods.map((p, j) =>
  startChild(POD_ENTRY, {
    label: p.name,
    runId,
    config: { name: p.name, node: 'bench', address: p.address, port: p.port, latency: { dist: 'constant', meanMs: 0, p99Ms: 0 }, responseBytes: 128, errorRate: 0, seed: j } satisfies PodConfig,
  }),
)
const proxyConfig = (node: string, address: string, balancing: 'connection' | 'request'): NodeProxyConfig => ({
  node,
  address,
  nodePort: PORT,
  proxyMode: 'ipvs',
  algorithm: 'round-robin',
  flags: { hashPort: false, fallback: false },
  ipvsTimeouts: KERNEL_IPVS_TIMEOUTS,
  balancing,
  seed: 1,
  hashSeed: 1,
  sessionAffinityTimeoutSeconds: null,
  externalTrafficPolicy: 'Cluster',
  endpoints: pods.map((p) => ({ name: p.name, address: p.address, port: p.port, node: 'elsewhere', weight: 1 })),
  hops: [],
  hopLatencyMs: 0,
  healthCheckNodePort: null,
  builtInPods: true,
})
// SVCBENCH_PROXY_FLAGS: extra Node flags for the two svcbench proxies (for A/B runs).
const nodeFlags = (process.env.SVCBENCH_PROXY_FLAGS ?? '').split(' ').filter((f) => f !== '')
const l4 = startChild(PROXY_ENTRY, { label: 'svcbench proxy (connection)', runId, nodeFlags, config: proxyConfig('bench-l4', plan.node(0), 'connection') })
const l7 = startChild(PROXY_ENTRY, { label: 'svcbench proxy (request)', runId, nodeFlags, config: proxyConfig('bench-l7', plan.node(1), 'request') })
// --also-relay MODE: a second connection proxy moving bytes the other way, measured beside the first.
let l4b: Child | null = null
if (ALSO_RELAY !== '') {
  l4b = startChild(PROXY_ENTRY, { label: `svcbench proxy (connection, ${ALSO_RELAY} relay)`, runId, nodeFlags, env: { SVCBENCH_L4_RELAY: ALSO_RELAY }, config: proxyConfig('bench-l4b', plan.node(5), 'connection') })
}
await Promise.all([...children, l4, l7, ...(l4b ? [l4b] : [])].map((c) => c.ready))

interface Path {
  name: string
  host: string
  port: number
  /** The proxy's pid, for its CPU. */
  pid: number | null
  /** Load generator: svcbench's load path, or autocannon's own client. */
  client: 'svcbench' | 'plain'
  /** Measures itself (the kernel rows, whose load runs in their client namespace). */
  run?: () => Promise<Sample>
}
const paths: Path[] = [
  { name: 'direct (plain autocannon)', host: pods[0]!.address, port: 8080, pid: null, client: 'plain' },
  { name: 'direct (svcbench load)', host: pods[0]!.address, port: 8080, pid: null, client: 'svcbench' },
  { name: 'svcbench connection', host: plan.node(0), port: PORT, pid: l4.pid, client: 'svcbench' },
  { name: 'svcbench request', host: plan.node(1), port: PORT, pid: l7.pid, client: 'svcbench' },
  ...(l4b ? [{ name: `svcbench connection ${ALSO_RELAY} relay`, host: plan.node(5), port: PORT, pid: l4b.pid, client: 'svcbench' as const }] : []),
]
const skipped: string[] = []

const installed = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0
async function startForeign(name: string, bin: string, argv: string[], host: string): Promise<number | null> {
  // Guarded: HAProxy and nginx die with this process, however it ends.
  const p = spawnGuarded(bin, argv)
  foreign.push(p)
  const pid = await p.pid
  for (let i = 0; pid !== null && i < 100; i++) {
    if (await tcpConnects({ host, port: PORT, localAddress: '127.0.0.1', timeoutMs: 200 })) return pid
    if (!p.running()) break
    await new Promise((r) => setTimeout(r, 50))
  }
  skipped.push(`${name}: did not start (${p.stderr().trim().split('\n').slice(-2).join(' ') || 'it exited'})`)
  p.kill()
  return null
}

if (installed('haproxy')) {
  const cfg = path.join(tmp, 'haproxy.cfg')
  fs.writeFileSync(
    cfg,
    [
      'global', '  nbthread 1', '  maxconn 8000',
      'defaults', '  mode tcp', '  timeout connect 5s', '  timeout client 60s', '  timeout server 60s',
      'frontend fe', `  bind ${plan.node(2)}:${PORT}`, '  default_backend be',
      'backend be', '  balance roundrobin', ...pods.map((p) => `  server ${p.name} ${p.address}:${p.port}`),
      '',
    ].join('\n'),
  )
  const pid = await startForeign('haproxy', 'haproxy', ['-f', cfg, '-db'], plan.node(2))
  if (pid !== null) paths.push({ name: 'haproxy tcp', host: plan.node(2), port: PORT, pid, client: 'svcbench' })
} else skipped.push('haproxy tcp: haproxy not installed (apt-get install -y haproxy)')

if (installed('nginx')) {
  const modules = fs.existsSync('/etc/nginx/modules-enabled') ? 'include /etc/nginx/modules-enabled/*.conf;' : ''
  const upstream = pods.map((p) => `server ${p.address}:${p.port};`).join(' ')
  const conf = path.join(tmp, 'nginx.conf')
  fs.writeFileSync(
    conf,
    `${modules}
worker_processes 1; daemon off; master_process off; pid ${tmp}/nginx.pid; error_log ${tmp}/nginx-error.log;
events { worker_connections 20000; }
stream { upstream s { ${upstream} } server { listen ${plan.node(3)}:${PORT}; proxy_pass s; } }
http {
  access_log off; client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fcgi; uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
  upstream h { ${upstream} keepalive 64; }
  server { listen ${plan.node(4)}:${PORT}; location / { proxy_pass http://h; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`,
  )
  const pid = await startForeign('nginx', 'nginx', ['-c', conf, '-e', `${tmp}/nginx-error.log`], plan.node(4))
  if (pid !== null) {
    const stream = await tcpConnects({ host: plan.node(3), port: PORT, localAddress: '127.0.0.1', timeoutMs: 500 })
    if (stream) paths.push({ name: 'nginx stream', host: plan.node(3), port: PORT, pid, client: 'svcbench' })
    else skipped.push('nginx stream: the stream module is not loaded (apt-get install -y libnginx-mod-stream)')
    paths.push({ name: 'nginx http keep-alive', host: plan.node(4), port: PORT, pid, client: 'svcbench' })
  }
} else skipped.push('nginx stream, nginx http keep-alive: nginx not installed (apt-get install -y nginx libnginx-mod-stream)')

/** The parts of autocannon's own result the plain row reads. */
interface PlainResult {
  requests: { total: number }
  latency: { p50: number; p99: number }
}

interface Sample {
  rps: number
  p50: number
  p99: number
  proxyCpuPct: number | null
  loadGeneratorCpuPct: number
  /** The three pods together. */
  podsCpuPct?: number
  /** Busy share of all cores, percent. */
  machineBusyPct?: number | null
}

async function measure(p: Path): Promise<Sample> {
  if (p.run !== undefined) return p.run()
  const procs: SampledProcess[] = [
    { role: 'load-generator', name: 'bench', pid: process.pid },
    ...(p.pid === null ? [] : [{ role: 'proxy' as const, name: p.name, pid: p.pid }]),
    ...children.map((c, j) => ({ role: 'pod' as const, name: pods[j]!.name, pid: c.pid })),
  ]
  const cpu = createCpuSampler(() => procs, 250)
  const warmMs = 500
  if (p.client === 'svcbench') {
    const epochMs = Date.now() + warmMs
    cpu.startAt(epochMs)
    const r = await runLoad({ targets: [{ host: p.host, port: p.port }], clientAddresses: [plan.client(0)], connections: CONNECTIONS, keepAlive: true, connectionLifetimeMs: 0, path: '/', requestTimeoutMs: 10_000, durationMs: SECONDS * 1000, epochMs })
    const u = cpu.stop()
    const lat = summarizeLatency(r.latency)
    return { rps: r.responses / (r.elapsedMs / 1000), p50: lat.p50, p99: lat.p99, proxyCpuPct: u.byProcess.find((x) => x.role === 'proxy')?.pct ?? null, loadGeneratorCpuPct: u.byProcess.find((x) => x.role === 'load-generator')?.pct ?? 0, podsCpuPct: u.byProcess.filter((x) => x.role === 'pod').reduce((a, x) => a + x.pct, 0), machineBusyPct: u.machineBusyPct }
  }
  // Plain autocannon: its own client and its own (ms) histogram; a warm-up run first.
  const plain = (duration: number) =>
    new Promise<PlainResult>((resolve, reject) => autocannon({ url: `http://${p.host}:${p.port}/`, connections: CONNECTIONS, duration }, (err, res) => (err ? reject(err) : resolve(res as PlainResult))))
  await plain(warmMs / 1000)
  cpu.start()
  const r = await plain(SECONDS)
  const u = cpu.stop()
  return { rps: r.requests.total / (SECONDS), p50: r.latency.p50, p99: r.latency.p99, proxyCpuPct: null, loadGeneratorCpuPct: u.byProcess.find((x) => x.role === 'load-generator')?.pct ?? 0, machineBusyPct: u.machineBusyPct }
}

// The kernel rows: a kernel cluster each, in the run's topology (proxy-kernel.ts).
const wantedRow = (name: string) => ONLY.length === 0 || ONLY.some((w) => name.includes(w))
const kernelUnavailable = kernelRowsUnavailable()
const kernel = kernelUnavailable === null ? await startKernelRows(`${process.pid}bk`, wantedRow) : { rows: [], stop: async () => {} }
if (kernelUnavailable !== null) skipped.push(`kernel nft DNAT (hand-written), kernel nftables, kernel iptables: ${kernelUnavailable}`)
for (const k of kernel.rows) paths.push({ name: k.name, host: '', port: 0, pid: null, client: 'svcbench', run: () => k.measure(SECONDS, CONNECTIONS) })

// Each compared pair measured back to back (in both orders, as repetitions alternate), so that
// drift over the run falls on both sides of a ratio alike: the load paths, then svcbench's
// connection proxy beside HAProxy and nginx stream, then its request proxy beside nginx http;
// the kernel rows next to their floor.
const ORDER = ['direct (plain autocannon)', 'direct (svcbench load)', 'kernel nft DNAT (hand-written)', 'kernel nftables', 'kernel iptables', 'svcbench connection', `svcbench connection ${ALSO_RELAY} relay`, 'haproxy tcp', 'nginx stream', 'nginx http keep-alive', 'svcbench request']
paths.sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name))
if (ONLY.length > 0) {
  const keep = paths.filter((p) => ONLY.some((w) => p.name.includes(w)))
  paths.splice(0, paths.length, ...keep)
}
for (const s of skipped) process.stderr.write(`skipped: ${s}\n`)
const samples = new Map<string, Sample[]>(paths.map((p) => [p.name, []]))
for (let rep = 0; rep < WARMUP_REPS; rep++) {
  for (const p of paths) {
    const s = await measure(p)
    process.stderr.write(`warm-up ${rep + 1}/${WARMUP_REPS} ${p.name.padEnd(26)} ${Math.round(s.rps).toLocaleString('en-US').padStart(7)} req/s (not counted)\n`)
  }
}
for (let rep = 0; rep < REPS; rep++) {
  // Alternate the order so that drift does not favour one path.
  const order = rep % 2 === 0 ? paths : [...paths].reverse()
  for (const p of order) {
    const s = await measure(p)
    samples.get(p.name)!.push(s)
    process.stderr.write(`rep ${rep + 1}/${REPS} ${p.name.padEnd(26)} ${Math.round(s.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  proxy CPU ${s.proxyCpuPct ?? '-'}%  load ${s.loadGeneratorCpuPct}%  pods ${s.podsCpuPct === undefined ? '-' : s.podsCpuPct.toFixed(1)}%\n`)
  }
}

/** Per-repetition values of f(a-sample, b-sample), or null when a path did not run. */
const paired = (a: string, b: string, f: (x: Sample, y: Sample) => number) => {
  const xs = samples.get(a)
  const ys = samples.get(b)
  if (xs === undefined || ys === undefined) return null
  return xs.map((x, i) => f(x, ys[i]!))
}
const ratios = (a: string, b: string) => paired(a, b, (x, y) => x.rps / y.rps)
const med = (name: string, f: (s: Sample) => number | null | undefined) => {
  // (null for a path that did not run: HAProxy not installed, --paths)
  const xs = (samples.get(name) ?? []).map(f).filter((x): x is number => typeof x === 'number')
  return xs.length === 0 ? null : median(xs)
}
/** Proxy CPU per request, in µs: percent of a core × 10,000 / req/s. */
const cpuPerRequest = (s: Sample) => (s.proxyCpuPct === null ? null : (s.proxyCpuPct * 10_000) / s.rps)
/** Every core's busy time per request, in µs: busy percent of all cores × cores × 10,000 / req/s. */
const machinePerRequest = (s: Sample) => (s.machineBusyPct === null || s.machineBusyPct === undefined ? null : (s.machineBusyPct * os.cpus().length * 10_000) / s.rps)

const fmt = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d))
const rows = [['path', 'req/s', 'p50 ms', 'p99 ms', 'proxy CPU %', 'proxy µs/req', 'machine µs/req', 'pods CPU %', 'load gen CPU %', '× direct']]
for (const p of paths) {
  const direct = ratios(p.name, 'direct (svcbench load)')
  rows.push([
    p.name,
    Math.round(med(p.name, (s) => s.rps)!).toLocaleString('en-US'),
    fmt(med(p.name, (s) => s.p50)),
    fmt(med(p.name, (s) => s.p99)),
    fmt(med(p.name, (s) => s.proxyCpuPct), 0),
    fmt(med(p.name, cpuPerRequest), 1),
    fmt(med(p.name, machinePerRequest), 1),
    fmt(med(p.name, (s) => s.podsCpuPct), 0),
    fmt(med(p.name, (s) => s.loadGeneratorCpuPct), 0),
    fmt(direct === null ? null : median(direct)),
  ])
}
process.stdout.write(`\nbench:proxy: ${CONNECTIONS} connections, keep-alive, ${SECONDS} s × ${REPS} alternating repetitions after ${WARMUP_REPS} warm-up pass(es), 3 pods, ${os.cpus().length} cores\n\n`)
process.stdout.write(`${alignColumns(rows)}\n`)

/** p99 added over the direct path, per repetition. */
const addedP99 = (name: string) => paired(name, 'direct (svcbench load)', (x, d) => x.p99 - d.p99)
const p99Diff = (() => {
  const ours = addedP99('svcbench connection')
  const theirs = addedP99('haproxy tcp')
  return ours === null || theirs === null ? null : ours.map((x, i) => x - theirs[i]!)
})()
interface Target {
  name: string
  /** Per-repetition values; the figure is their median. */
  values: number[] | null
  target: number
  atLeast: boolean
  unit: string
}
const targetList: Target[] = [
  { name: 'connection proxy throughput / HAProxy mode tcp', values: ratios('svcbench connection', 'haproxy tcp'), target: 1.0, atLeast: true, unit: '' },
  { name: 'request proxy throughput / nginx http keep-alive', values: ratios('svcbench request', 'nginx http keep-alive'), target: 0.8, atLeast: true, unit: '' },
  { name: 'svcbench load path / plain autocannon (direct)', values: ratios('direct (svcbench load)', 'direct (plain autocannon)'), target: 0.95, atLeast: true, unit: '' },
  { name: 'p99 added by the connection proxy − by HAProxy', values: p99Diff, target: 0, atLeast: false, unit: ' ms' },
  { name: 'kernel nftables throughput / hand-written nft DNAT', values: ratios('kernel nftables', 'kernel nft DNAT (hand-written)'), target: 0.95, atLeast: true, unit: '' },
  { name: 'kernel iptables throughput / hand-written nft DNAT', values: ratios('kernel iptables', 'kernel nft DNAT (hand-written)'), target: 0.95, atLeast: true, unit: '' },
]
const targets = targetList.map((t) => {
  if (t.values === null) return { name: t.name, value: null, interval: null, target: t.target, atLeast: t.atLeast, verdict: null }
  const value = median(t.values)
  const interval = medianInterval(t.values)
  return { name: t.name, value, interval, target: t.target, atLeast: t.atLeast, verdict: targetVerdict(interval, value, t.target, t.atLeast) }
})
const confidence = targets.find((t) => t.interval !== null)?.interval?.coverage
process.stdout.write(`\nTargets (the median of the per-repetition figures, as the targets are set), and whether a distribution-free interval for that median${confidence === undefined ? '' : ` (${(confidence * 100).toFixed(1)}% at ${REPS} repetitions)`} clears the target beyond the run's noise ("inconclusive": the interval holds it):\n\n`)
const targetRows = [['target', 'wanted', 'median', 'median meets it', 'interval', 'beyond noise']]
for (const [i, t] of targets.entries()) {
  const unit = targetList[i]!.unit
  // By the median alone, as the targets are set (the verdict without an interval).
  const meets = t.value === null ? '-' : targetVerdict(null, t.value, t.target, t.atLeast) === 'met' ? 'yes' : 'no'
  targetRows.push([
    t.name,
    `${t.atLeast ? '≥' : '≤'} ${fmt(t.target, t.target === 0 ? 0 : 2)}${unit}`,
    t.value === null ? '-' : `${fmt(t.value)}${unit}`,
    meets,
    t.interval === null ? (t.value === null ? '-' : `(${REPS} reps: too few)`) : `${fmt(t.interval.lo)} – ${fmt(t.interval.hi)}`,
    t.value === null ? '(paths not run)' : t.interval === null ? '-' : (t.verdict ?? '-'),
  ])
}
process.stdout.write(`${alignColumns(targetRows)}\n`)
const ours = med('svcbench connection', cpuPerRequest)
const theirs = med('haproxy tcp', cpuPerRequest)
if (ours !== null && theirs !== null) process.stdout.write(`\nconnection proxy CPU per request: ${ours.toFixed(1)} µs against HAProxy's ${theirs.toFixed(1)} µs (× ${(ours / theirs).toFixed(2)})\n`)
// The proxy dataplane's cost per request beside the kernel's (machine-wide: the kernel's forwarding has no process).
const proxyMachine = med('svcbench connection', machinePerRequest)
for (const k of kernel.rows) {
  const m = med(k.name, machinePerRequest)
  if (m !== null && proxyMachine !== null) process.stdout.write(`machine CPU per request: ${k.name} ${m.toFixed(1)} µs, svcbench connection ${proxyMachine.toFixed(1)} µs (its proxy process ${fmt(ours, 1)} µs of it)\n`)
}

await kernel.stop()
writeBenchJson('proxy', { seconds: SECONDS, reps: REPS, warmupReps: WARMUP_REPS, connections: CONNECTIONS, cores: os.cpus().length, cpuModel: os.cpus()[0]?.model, skipped, targets, samples: Object.fromEntries(samples) })
cleanup()
await lease.release()
fs.rmSync(tmp, { recursive: true, force: true })
process.exit(0)
