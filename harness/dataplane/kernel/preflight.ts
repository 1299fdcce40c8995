/**
 * What keeps the kernel dataplane from running a variant on this machine, found before anything
 * starts (the CLI refuses the run with exit 2): Linux, the privileges to create network
 * namespaces (root, or root inside an unprivileged user namespace), the tools it runs, a kube-proxy
 * mode it writes rules for, and addresses that fit its plan. The machine is read through
 * {@link KernelHost}, so that tests can give one that lacks things.
 */
import fs from 'node:fs'
import path from 'node:path'
import { kernelAddressIssues } from './address-plan.ts'
import { clientPlacement } from '../../scenario/topology.ts'
import type { ScenarioIssue } from '../../errors.ts'
import type { ResolvedVariant } from '../../model/scenario.ts'

/** What the preflight reads of the machine. */
export interface KernelHost {
  platform: NodeJS.Platform
  /** The effective capability set (CapEff of /proc/self/status); undefined when unreadable. */
  effectiveCapabilities(): bigint | undefined
  /** Whether `bin` is an executable on PATH (or in /usr/sbin, /sbin). */
  hasProgram(bin: string): boolean
  /** Whether the kernel has IPVS loaded (/proc/net/ip_vs). */
  hasIpvs(): boolean
  /** user.max_user_namespaces: 0 when the kernel allows no unprivileged user namespace. */
  maxUserNamespaces(): number
}

const CAP_NET_ADMIN = 12n
const CAP_SYS_ADMIN = 21n

/** This machine. */
export const THIS_HOST: KernelHost = {
  platform: process.platform,
  effectiveCapabilities() {
    try {
      const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
      return m === null ? undefined : BigInt(`0x${m[1]}`)
    } catch {
      return undefined
    }
  },
  hasProgram(bin) {
    const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']
    return dirs.some((d) => {
      try {
        fs.accessSync(path.join(d, bin), fs.constants.X_OK)
        return true
      } catch {
        return false
      }
    })
  },
  hasIpvs: () => fs.existsSync('/proc/net/ip_vs'),
  maxUserNamespaces() {
    try {
      return Number(fs.readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim())
    } catch {
      return 0
    }
  },
}

/** Programs the kernel dataplane runs, with the Debian package that has each. */
const PROGRAMS: Record<string, string> = { ip: 'iproute2', nsenter: 'util-linux', conntrack: 'conntrack', nft: 'nftables', 'iptables-restore': 'iptables' }

/** How to run a kernel scenario without root, where the kernel allows it. */
export const USER_NAMESPACE_COMMAND = "unshare --user --map-root-user --net --mount sh -c 'mount -t tmpfs none /run && svcbench run <scenario>'"

/** Why the kernel dataplane cannot run `v` here; empty when it can. `rulesBuiltIn`: this build has kube-proxy's rule renderers. */
export function kernelPreflight(v: ResolvedVariant, host: KernelHost = THIS_HOST, rulesBuiltIn = true): ScenarioIssue[] {
  const where = (p: string) => (v.name === 'default' ? p : `variants.${v.name}.${p}`)
  const issues: ScenarioIssue[] = []
  const say = (p: string, message: string) => issues.push({ path: where(p), message })
  if (host.platform !== 'linux') {
    say('service.dataplane', `got "kernel" on ${host.platform}; the kernel dataplane needs Linux (network namespaces, nftables or iptables, conntrack): use dataplane "proxy"`)
    return issues
  }
  const mode = v.service.proxyMode
  if (mode === 'ipvs') {
    say('service.proxyMode', host.hasIpvs() ? 'got "ipvs"; the kernel dataplane writes kube-proxy\'s nftables and iptables rules only: use proxyMode "nftables" or "iptables", or dataplane "proxy" for ipvs' : 'got "ipvs"; this kernel lacks IPVS (no /proc/net/ip_vs; `modprobe ip_vs` loads it where the kernel has the module): use proxyMode "nftables" or "iptables", or dataplane "proxy" to simulate ipvs')
  } else if (mode === 'userspace') {
    say('service.proxyMode', 'got "userspace"; kube-proxy\'s userspace mode (removed in Kubernetes 1.26) writes no kernel rules: use proxyMode "nftables" or "iptables", or dataplane "proxy" to simulate it')
  }
  if (v.service.balancing === 'request') say('service.balancing', 'got "request"; kube-proxy\'s rules decide once per connection, in the kernel: per-request balancing is an L7 proxy\'s, use dataplane "proxy"')
  const caps = host.effectiveCapabilities() ?? 0n
  const lacking = [...(caps & (1n << CAP_SYS_ADMIN) ? [] : ['CAP_SYS_ADMIN']), ...(caps & (1n << CAP_NET_ADMIN) ? [] : ['CAP_NET_ADMIN'])]
  if (lacking.length > 0) {
    const userns = host.maxUserNamespaces() > 0 ? `, or inside an unprivileged user namespace, which this kernel allows: ${USER_NAMESPACE_COMMAND}` : ' (this kernel allows no unprivileged user namespace: user.max_user_namespaces is 0)'
    say('service.dataplane', `got "kernel"; creating the run's network namespaces needs root (this process lacks ${lacking.join(' and ')}): run svcbench as root${userns}`)
  }
  const needed = ['ip', 'nsenter', 'conntrack', ...(mode === 'iptables' ? ['iptables-restore'] : ['nft'])]
  const missing = needed.filter((b) => !host.hasProgram(b))
  if (missing.length > 0) {
    say('service.dataplane', `got "kernel"; missing ${missing.map((b) => `\`${b}\``).join(', ')}: install ${[...new Set(missing.map((b) => PROGRAMS[b]))].join(' ')} (Debian: apt-get install -y ${[...new Set(missing.map((b) => PROGRAMS[b]))].join(' ')})`)
  }
  if (!rulesBuiltIn) say('service.dataplane', 'got "kernel"; this build of svcbench has no renderer of kube-proxy\'s rules (harness/dataplane/kernel/rules/): use dataplane "proxy"')
  for (const i of kernelAddressIssues(v)) issues.push({ path: where(i.path), message: i.message })
  const generators = loadGenerators(v)
  if (generators > MAX_KERNEL_LOAD_GENERATORS) {
    const fix = v.load.clientPods === 'endpoints' ? 'cluster.podProcesses \'per-node\' (one namespace per node for its pods), or fewer client addresses (load.clientIps)' : 'fewer nodes in load.clientNodes'
    say(v.load.clientPods === 'endpoints' ? 'load.clientPods' : 'load.clientNodes', `in-cluster clients in ${generators} namespaces need a load generator process each; the kernel dataplane runs at most ${MAX_KERNEL_LOAD_GENERATORS}: use ${fix}`)
  }
  return issues
}

/** Most load generator processes a kernel run starts (one per namespace in-cluster clients live in). */
export const MAX_KERNEL_LOAD_GENERATORS = 16

/** The load generator processes the variant needs: one per namespace its clients live in. */
function loadGenerators(v: ResolvedVariant): number {
  const clients = clientPlacement(v)
  if (clients.length === 0) return 1
  // Client pods of their own share a namespace per node; the Service's pods as clients are in theirs.
  const shared = v.load.clientPods === 'separate' || v.cluster.podProcesses === 'per-node'
  return new Set(clients.map((c) => (shared ? c.node : c.pod))).size
}
