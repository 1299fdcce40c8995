/**
 * The text tables of a UDP Service's figures, beside the comparison table: per pod the queries
 * answered and the flows pinned to it, and per fault the flows stuck on the dead endpoint, their
 * lost queries, where the blackhole ended and when they moved.
 */
import { alignColumns } from '../util/text-table.ts'
import { sec } from './format.ts'
import type { VariantResult } from '../model/results.ts'

/** Lines for the variants that ran a UDP Service; none when no variant did. */
export function udpLines(vs: readonly VariantResult[]): string[] {
  const udp = vs.filter((v) => v.udp != null)
  if (udp.length === 0) return []
  const rows: string[][] = [['', 'source ports', 'flows', 'clients on one pod', 'per pod: queries answered / flows']]
  for (const v of udp) {
    const u = v.udp!
    rows.push([v.name, u.sourcePort, String(u.flows), `${u.clientsOnOnePod}/${u.clients.length}`, u.pods.map((p) => `${p.name} ${p.queriesAnswered}/${p.flows}`).join('  ')])
  }
  const out = ['', 'UDP (a flow is one conntrack entry: one pick; results.udp)', alignColumns(rows)]
  const faults: string[][] = [['', 'fault', 'flows on dead pod', 'stuck', 'queries lost', 'blackhole ended', 'moved (last at)', 'back on same pod', 'never answered']]
  for (const v of udp) {
    for (const f of v.failover) {
      if (f.udp == null) continue
      const u = f.udp
      faults.push([v.name, `${f.fault} ${f.pods.join(',')}`, String(u.flowsOnDeadEndpoint), String(u.flowsStuck), String(u.queriesLost), sec(u.lastLostSec), `${u.flowsMoved} (${sec(u.lastMovedAtSec)})`, String(u.flowsBackOnSamePod), String(u.flowsNeverAnswered)])
    }
  }
  if (faults.length > 1) out.push('', 'UDP flows pinned to a faulted pod (fixed source ports; failover[i].udp)', alignColumns(faults))
  return out
}
