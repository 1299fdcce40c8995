/**
 * Building and removing the run's network (layout.ts says what it is): the guard first, then
 * one `ip -batch` that creates every namespace and veth straight inside its namespaces (nothing
 * is ever created in this machine's own namespace), then one batch per namespace, in parallel.
 * Removal kills what still runs inside, deletes every namespace (their links, routes and rules
 * go with them) and lets the guard go.
 */
import { ipBatch, ipBatchesInNetns, inParallel, runTool } from './exec.ts'
import { netnsNamed, pidsInNetns, startNetnsGuard, type NetnsGuard } from './guard.ts'
import { RUN_NETNS_PREFIX } from '../../model/wire.ts'
import type { KernelLayout } from './layout.ts'

/** Shells configuring namespaces at once (each runs one short `ip` process per namespace). */
export const SETUP_PARALLELISM = 4

/** A built network. */
export interface KernelNetwork {
  layout: KernelLayout
  /** Kill what runs inside, delete every namespace, release the guard. Safe to call twice. */
  teardown(): Promise<void>
}

let serial = 0

/** A namespace prefix unique to this start (the run id, this process's count, a random tag). */
export function netnsPrefix(runId: string): string {
  const id = runId.replace(/[^A-Za-z0-9]/g, '').slice(-16)
  return `${RUN_NETNS_PREFIX}${id}-${(serial++).toString(36)}${Math.random().toString(36).slice(2, 6)}`
}

/** Build the layout's network; on failure remove what was built and throw a HarnessError `NETNS_FAILED`. */
export async function buildNetwork(layout: KernelLayout): Promise<KernelNetwork> {
  const guard = startNetnsGuard(`${layout.prefix}-`)
  let torn: Promise<void> | undefined
  const net: KernelNetwork = {
    layout,
    teardown: () => (torn ??= removeNetwork(layout.prefix, guard)),
  }
  try {
    await ipBatch(layout.create)
    await ipBatchesInNetns([...layout.configure], SETUP_PARALLELISM)
    await inParallel([...layout.sysctls], SETUP_PARALLELISM, ([ns, kv]) => runTool('sh', ['-ec', sysctlScript(kv)], { netns: ns }))
  } catch (err) {
    await net.teardown()
    throw err
  }
  return net
}

/**
 * Shell lines that set `key=value` sysctls of the namespace they run in (/proc/sys/net is the
 * opener's namespace's), without needing procps' sysctl.
 */
export function sysctlScript(settings: readonly string[]): string {
  return settings.map((kv) => {
    const [key, value] = kv.split('=') as [string, string]
    return `echo ${value} > /proc/sys/${key.replace(/\./g, '/')}`
  }).join('\n')
}

/** Kill every process left in the run's namespaces, delete them, release the guard. */
async function removeNetwork(prefix: string, guard: NetnsGuard): Promise<void> {
  const names = netnsNamed(`${prefix}-`)
  for (const pid of pidsInNetns(names)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone already
    }
  }
  try {
    await ipBatch(names.map((n) => `netns del ${n}`), { force: true })
  } finally {
    // Whatever this left (a failing delete), the guard tries again as it goes.
    await guard.release()
  }
}
