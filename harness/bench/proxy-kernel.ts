/**
 * bench:proxy's kernel rows (issue #17 §4): the same three pods and load through svcbench's
 * kernel dataplane, in a real run's topology (the load generator in the client namespace, the
 * node namespace's rules, each pod in its own namespace behind a veth), with kube-proxy's
 * nftables rules, its iptables rules, and, as the floor, a minimal hand-written nft DNAT
 * (`numgen random mod 3` straight to the pods: no chains, marks, masquerade or counters). One
 * kernel cluster of one node per row, started once and measured in the same repetitions as the
 * other rows.
 *
 * The kernel forwards in softirq context, which no process is charged for: a kernel row has no
 * proxy CPU; its "machine µs/req" (every core's busy time over the requests) is the figure to set
 * beside the proxy rows'.
 */
import { resolveScenario } from '../scenario/resolve.ts'
import { startCluster, type Cluster } from '../cluster/cluster.ts'
import { addressPlan } from '../cluster/address-plan.ts'
import { createKernelDataplane } from '../dataplane/kernel/dataplane.ts'
import { THIS_HOST } from '../dataplane/kernel/preflight.ts'
import { runTool } from '../dataplane/kernel/exec.ts'
import { driveLoad } from '../load/drive.ts'
import { summarizeLatency } from '../stats/latency.ts'
import { createCpuSampler } from '../util/cpu.ts'
import type { KernelRules } from '../dataplane/kernel/rules-binding.ts'
import type { RuleInput } from '../dataplane/kernel/rules/types.ts'

/** What one measurement of a row gives (bench:proxy's Sample). */
export interface KernelSample {
  rps: number
  p50: number
  p99: number
  proxyCpuPct: null
  loadGeneratorCpuPct: number
  podsCpuPct: number
  machineBusyPct: number | null
}

/** A kernel row: its name and how to measure it once. */
export interface KernelRow {
  name: string
  measure(seconds: number, connections: number): Promise<KernelSample>
}

/** The hand-written floor's table. */
const FLOOR_TABLE = 'ip svbfloor'

/** The minimal DNAT: one rule, a random pick of the ready endpoints straight to their address and port. */
export function renderFloor(input: RuleInput): string {
  const eps = input.endpoints.filter((e) => e.ready)
  const map = eps.map((e, i) => `${i} : ${e.address}`).join(', ')
  const port = eps[0]?.port ?? input.service.targetPort
  const dnat = eps.length === 0 ? '' : `    ip daddr ${input.node.addresses.join(', ')} tcp dport ${input.service.nodePort} dnat to numgen random mod ${eps.length} map { ${map} } : ${port}\n`
  return `add table ${FLOOR_TABLE}\nflush table ${FLOOR_TABLE}\ntable ${FLOOR_TABLE} {\n  chain pre {\n    type nat hook prerouting priority dstnat; policy accept;\n${dnat}  }\n}\n`
}

/** The floor as kernel rules: no counters (bench:proxy reads no decisions). */
const FLOOR_RULES: KernelRules = {
  render: renderFloor,
  apply: async (netns, _mode, text) => void (await runTool('nft', ['-f', '-'], { netns, input: text })),
  readCounters: async () => ({}),
}

/** Why the kernel rows cannot run here (not Linux, no root, no nft or iptables); null when they can. */
export function kernelRowsUnavailable(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'the kernel dataplane needs Linux and root'
  const missing = ['ip', 'nsenter', 'conntrack', 'nft', 'iptables-restore'].filter((b) => !THIS_HOST.hasProgram(b))
  return missing.length === 0 ? null : `missing ${missing.join(', ')} (apt-get install -y iproute2 nftables iptables conntrack)`
}

/** One node, the three pods of the other rows (no service time, 128-byte answers). */
function variant(proxyMode: 'nftables' | 'iptables') {
  return resolveScenario({ name: 'bench-proxy-kernel', cluster: { nodes: 1, replicas: 3, pod: { latencyMs: 0, responseBytes: 128 } }, service: { dataplane: 'kernel', proxyMode } }).variants[0]!
}

/** One measurement through `cluster`: the closed model from the client namespace, keep-alive, one client address. */
async function measureThrough(cluster: Cluster, seconds: number, connections: number): Promise<KernelSample> {
  const via = cluster.topology.nodes.map((n) => n.name)
  const procs = cluster.processes()
  const cpu = createCpuSampler(() => procs, 250)
  const epochMs = Date.now() + 500
  cpu.startAt(epochMs)
  const r = await driveLoad(cluster.startLoad('closed', { targets: cluster.targets(via), clientAddresses: [cluster.clientAddress(0)], connections, keepAlive: true, connectionLifetimeMs: 0, path: '/', requestTimeoutMs: 10_000, durationMs: seconds * 1000, epochMs }))
  const u = cpu.stop()
  const lat = summarizeLatency(r.latency)
  const pct = (role: string) => u.byProcess.filter((x) => x.role === role).reduce((a, x) => a + x.pct, 0)
  return { rps: r.responses / (r.elapsedMs / 1000), p50: lat.p50, p99: lat.p99, proxyCpuPct: null, loadGeneratorCpuPct: pct('load-generator'), podsCpuPct: pct('pod'), machineBusyPct: u.machineBusyPct }
}

/** The kernel rows `wanted` keeps (by name), each on its own started cluster; `stop` removes them all. */
export async function startKernelRows(runId: string, wanted: (name: string) => boolean): Promise<{ rows: KernelRow[]; stop(): Promise<void> }> {
  const specs = [
    { name: 'kernel nft DNAT (hand-written)', mode: 'nftables' as const, dataplane: createKernelDataplane({ rules: FLOOR_RULES }) },
    { name: 'kernel nftables', mode: 'nftables' as const, dataplane: undefined },
    { name: 'kernel iptables', mode: 'iptables' as const, dataplane: undefined },
  ].filter((s) => wanted(s.name))
  const clusters: Cluster[] = []
  const stop = async () => void (await Promise.all(clusters.map((c) => c.stop())))
  try {
    // One at a time: each builds its namespaces with a few parallel shells already.
    // (The loopback plan is not used by the kernel dataplane: its addresses are inside its namespaces.)
    for (const s of specs) clusters.push(await startCluster(variant(s.mode), { plan: addressPlan(250), seed: 1, runId: `${runId}${clusters.length}`, dataplane: s.dataplane }))
  } catch (err) {
    await stop()
    throw err
  }
  return { rows: specs.map((s, i) => ({ name: s.name, measure: (seconds, connections) => measureThrough(clusters[i]!, seconds, connections) })), stop }
}
