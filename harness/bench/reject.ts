/**
 * npm run bench:reject — how the kernel answers a burst of connections that kube-proxy's REJECT
 * refuses (a Service with no endpoint): a client namespace and a node namespace joined by a veth
 * (198.18.0.0/15, inside the two namespaces only), an nft `reject` on the node's NodePort as
 * kube-proxy's reject-chain writes it, and bursts of connects from one client address and from
 * many. The ICMP errors of a REJECT are rate-limited (net/ipv4/icmp.c: per destination address
 * one per net.ipv4.icmp_ratelimit, burst 6; per namespace icmp_msgs_per_sec, burst
 * icmp_msgs_burst), so some refusals come only with the SYN's retransmission (after 1, 3, 7 s)
 * and some never: docs/kube-proxy-model.md ("REJECT's refusals are rate-limited in the kernel").
 * svcbench's node proxies refuse every connection at once; this measures what the kernel does.
 *
 *   npm run bench:reject [-- --record]
 *
 * Needs Linux, root, `ip` and `nft`. Takes about 30 s (the bursts wait for their timeouts).
 * Writes reports/bench/reject-<time>.json.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startChild } from '../process/child.ts'
import { ipBatch, runTool } from '../dataplane/kernel/exec.ts'
import { startNetnsGuard } from '../dataplane/kernel/guard.ts'
import { netnsPrefix } from '../dataplane/kernel/network.ts'
import { writeBenchJson } from './output.ts'
import type { BurstPlan } from './reject-client.ts'

const CLIENT_ENTRY = fileURLToPath(new URL('./reject-client.ts', import.meta.url))
const NODE = '198.18.0.1'
const NODE_PORT = 30080
const prefix = netnsPrefix(`benchreject${process.pid}`)
const [client, node] = [`${prefix}-cl`, `${prefix}-n0`]
const guard = startNetnsGuard(`${prefix}-`)
const sysctl = (key: string) => fs.readFileSync(`/proc/sys/net/ipv4/${key}`, 'utf8').trim()

const cases: { name: string; plan: Omit<BurstPlan, 'host' | 'port'> }[] = [
  { name: 'one client address, 20 connects one after another, 10 s timeout', plan: { count: 20, parallel: 1, timeoutMs: 10_000, sources: ['198.18.128.1'] } },
  { name: 'one client address, 50 connects at once, 10 s timeout', plan: { count: 50, parallel: 50, timeoutMs: 10_000, sources: ['198.18.129.1'] } },
  { name: 'one client address, 50 connects at once, 2 s timeout', plan: { count: 50, parallel: 50, timeoutMs: 2000, sources: ['198.18.130.1'] } },
  { name: '100 client addresses, one connect each, all at once, 10 s timeout', plan: { count: 100, parallel: 100, timeoutMs: 10_000, sources: Array.from({ length: 100 }, (_, k) => `198.18.131.${k + 1}`) } },
]

try {
  await ipBatch([`netns add ${client}`, `netns add ${node}`, `link add name eth0 netns ${client} type veth peer name eth0 netns ${node}`])
  await ipBatch(['link set lo up', 'link set eth0 up', 'addr add 198.18.1.2/24 dev eth0', 'route add default via 198.18.1.1', 'route add local 198.18.128.0/17 dev lo'], { netns: client })
  await ipBatch(['link set lo up', 'link set eth0 up', 'addr add 198.18.1.1/24 dev eth0', `addr add ${NODE}/32 dev lo`, 'route add 198.18.128.0/17 via 198.18.1.2'], { netns: node })
  // kube-proxy's nftables proxier: filter-input → nodeport-endpoints-check → no-endpoint-nodeports → reject-chain → reject.
  await runTool('nft', ['-f', '-'], { netns: node, input: `table ip t {\n  chain input { type filter hook input priority 0; tcp dport ${NODE_PORT} reject; }\n}\n` })
  const child = startChild(CLIENT_ENTRY, { label: 'bench:reject client', config: {}, runId: `${process.pid}-bench-reject`, netns: client })
  await child.ready
  const results: { name: string; outcomes: Record<string, number> }[] = []
  for (const c of cases) {
    const outcomes = await child.request<Record<string, number>>('burst', { host: NODE, port: NODE_PORT, ...c.plan } satisfies BurstPlan, { timeoutMs: c.plan.timeoutMs * 4 + 10_000 })
    results.push({ name: c.name, outcomes })
    process.stdout.write(`${c.name}: ${Object.entries(outcomes).map(([k, n]) => `${n} ${k}`).join(', ')}\n`)
    await new Promise((r) => setTimeout(r, 1000)) // the namespace-wide bucket refills
  }
  await child.kill()
  writeBenchJson('reject', { sysctls: { icmp_ratelimit: sysctl('icmp_ratelimit'), icmp_msgs_per_sec: sysctl('icmp_msgs_per_sec'), icmp_msgs_burst: sysctl('icmp_msgs_burst'), icmp_ratemask: sysctl('icmp_ratemask') }, results })
} finally {
  await ipBatch([`netns del ${client}`, `netns del ${node}`], { force: true }).catch(() => {})
  await guard.release()
}
