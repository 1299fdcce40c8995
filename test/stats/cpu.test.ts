import { describe, it, expect } from 'vitest'
import { summarizeCpu, SATURATION_PCT } from '../../harness/stats/cpu.ts'
import { processCpuMs, machineCpuMs, createCpuSampler } from '../../harness/util/cpu.ts'

describe('summarizeCpu', () => {
  it('groups by role, finds the busiest pod, flags saturated single-threaded processes', () => {
    const s = summarizeCpu(
      {
        windowMs: 1000,
        machineBusyPct: 97.5,
        byProcess: [
          { role: 'load-generator', name: 'svcbench', pct: 97.2 },
          { role: 'proxy', name: 'node-a', pct: 91 },
          { role: 'proxy', name: 'node-b', pct: 40 },
          { role: 'pod', name: 'pod-1', pct: 20 },
          { role: 'pod', name: 'pod-2', pct: 35.5 },
        ],
      },
      2,
    )
    expect(s).toEqual({
      loadGeneratorPct: 97.2,
      proxies: { 'node-a': 91, 'node-b': 40 },
      loadBalancerPct: null,
      pods: { totalPct: 55.5, maxPct: 35.5, maxPod: 'pod-2' },
      machineBusyPct: 97.5,
      otherPct: 0,
      cores: 2,
      saturated: ['load generator 97.2%', 'proxy node-a 91%'],
    })
  })
  it(`nothing above ${SATURATION_PCT}% → not saturated`, () => {
    expect(summarizeCpu({ windowMs: 1000, machineBusyPct: null, byProcess: [{ role: 'load-generator', name: 'x', pct: 90 }] }, 2).saturated).toEqual([])
  })
})

describe('/proc CPU sampling', () => {
  it('reads this process and the machine, and a busy loop shows up as CPU time', async () => {
    expect(processCpuMs(process.pid)).toBeGreaterThan(0)
    expect(processCpuMs(999_999_999)).toBeUndefined()
    const m = machineCpuMs()!
    expect(m.total).toBeGreaterThan(m.busy)
    const sampler = createCpuSampler(() => [{ role: 'load-generator', name: 'me', pid: process.pid }], 20)
    sampler.start()
    const until = Date.now() + 300
    while (Date.now() < until) Math.sqrt(Math.random())
    await new Promise((r) => setTimeout(r, 30))
    const u = sampler.stop()
    // A lower bound only: the machine is shared and CLK_TCK is 10 ms.
    expect(u.byProcess[0]!.pct).toBeGreaterThan(30)
    expect(u.windowMs).toBeGreaterThanOrEqual(300)
  })
})
