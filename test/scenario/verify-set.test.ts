/**
 * The shipped verify set (scenarios/verify/, `npm run bench:fidelity`): every file loads and
 * resolves, is named verify-<file>, covers what issue #17 asks of it, and has only variants the
 * kernel dataplane can run (kube-proxy's nftables or iptables rules, per connection).
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadScenarioFile } from '../../harness/scenario/load.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ROOT } from '../helpers/cli.ts'
import type { ResolvedVariant } from '../../harness/model/scenario.ts'

const DIR = path.join(ROOT, 'scenarios/verify')
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'))
const load = async (f: string) => resolveScenario(await loadScenarioFile(path.join(DIR, f)), { file: path.join(DIR, f) })

describe('the verify set', () => {
  it.each(files)('%s resolves, is named after its file, and the kernel dataplane can run every variant', async (f) => {
    const run = await load(f)
    expect(run.name).toBe(`verify-${f.replace(/\.ts$/, '')}`)
    for (const v of run.variants) {
      expect(['nftables', 'iptables']).toContain(v.service.proxyMode)
      expect(v.service.balancing).toBe('connection')
    }
  })

  it('covers iptables and nftables, Cluster and Local, short ClientIP affinity, REJECT, a crash and a deletion with preStop', async () => {
    const all: ResolvedVariant[] = (await Promise.all(files.map(load))).flatMap((r) => r.variants)
    const has = (p: (v: ResolvedVariant) => boolean) => all.some(p)
    expect(has((v) => v.service.proxyMode === 'iptables') && has((v) => v.service.proxyMode === 'nftables')).toBe(true)
    expect(has((v) => v.service.externalTrafficPolicy === 'Cluster') && has((v) => v.service.externalTrafficPolicy === 'Local')).toBe(true)
    expect(has((v) => v.service.sessionAffinity === 'ClientIP' && v.service.sessionAffinityTimeoutSeconds <= 10)).toBe(true)
    // REJECT: the Service's only pod killed.
    expect(has((v) => v.cluster.nodes.reduce((s, n) => s + n.pods, 0) === 1 && v.faults.some((f) => f.action === 'kill-pod'))).toBe(true)
    expect(has((v) => v.faults.some((f) => f.action === 'kill-pod'))).toBe(true)
    expect(has((v) => v.cluster.preStopSleepSeconds > 0 && v.faults.some((f) => f.action === 'delete-pod'))).toBe(true)
  })

  it('covers a UDP Service: a pick per query, resolvers pinned by fixed ports, a kill with kube-proxy\'s conntrack cleanup and without', async () => {
    const udp = (await Promise.all(files.map(load))).flatMap((r) => r.variants).filter((v) => v.service.protocol === 'UDP')
    const has = (p: (v: ResolvedVariant) => boolean) => udp.some(p)
    expect(has((v) => v.load.udpSourcePort === 'per-query' && v.faults.length === 0)).toBe(true)
    expect(has((v) => v.load.udpSourcePort === 'fixed' && v.faults.length === 0)).toBe(true)
    for (const cleanup of ['kube-proxy', 'none'] as const) {
      expect(has((v) => v.load.udpSourcePort === 'fixed' && v.service.udpConntrackCleanup === cleanup && v.faults.some((f) => f.action === 'kill-pod'))).toBe(true)
    }
  })
})
