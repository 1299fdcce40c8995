/**
 * For tests on real network namespaces (the kernel dataplane): whether this machine can run them
 * (root with nft, iptables-restore, conntrack; CI runs as root and installs them), and the host's
 * own network state, to check that a run left nothing behind and changed nothing.
 */
import { execFileSync } from 'node:child_process'
import { THIS_HOST } from '../../harness/dataplane/kernel/preflight.ts'
import { netnsNamed } from '../../harness/dataplane/kernel/guard.ts'
import { RUN_NETNS_PREFIX } from '../../harness/model/wire.ts'

/** Root, on Linux, with every program the kernel dataplane runs. */
export const KERNEL_TESTS_CAN_RUN =
  process.platform === 'linux' && process.getuid?.() === 0 && ['ip', 'nsenter', 'nft', 'iptables-restore', 'iptables-save', 'conntrack'].every((b) => THIS_HOST.hasProgram(b))

/** What requireInCi names when they cannot. */
export const KERNEL_REQUIREMENT = 'root, nft, iptables-restore and conntrack (network namespaces for the kernel dataplane)'

const run = (bin: string, args: string[]) => execFileSync(bin, args, { encoding: 'utf8' })

/** The host namespace's links, ruleset and iptables rules (comments and counters left out), as text. */
export function hostNetworkState(): { links: string; nft: string; iptables: string } {
  return {
    links: run('ip', ['-o', 'link', 'show']).replace(/\s+link\/\S+ \S+ brd \S+/g, '').split('\n').map((l) => l.replace(/^\d+: /, '')).sort().join('\n'),
    nft: run('nft', ['list', 'ruleset']),
    iptables: run('iptables-save', []).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/g, '')).join('\n'),
  }
}

/** The run's namespaces still there (those starting with `prefix`; every svcbench namespace without one). */
export function leftoverNetns(prefix = RUN_NETNS_PREFIX): string[] {
  return netnsNamed(prefix)
}
