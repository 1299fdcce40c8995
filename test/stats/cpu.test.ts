import { describe, it, expect } from 'vitest'
import { summarizeCpu, SATURATION_PCT } from '../../harness/stats/cpu.ts'
import { processCpuMs, machineCpuMs, createCpuSampler, threadCpuMs } from '../../harness/util/cpu.ts'

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
  it.each([
    // Two threads under a core each, the process above one: not saturated.
    [{ pct: 130, busiestThreadPct: 70 }, false],
    // One thread saturated, the process under a core's worth elsewhere: saturated.
    [{ pct: 95, busiestThreadPct: 92 }, true],
    [{ pct: 150, busiestThreadPct: 99 }, true],
    // Threads not sampled: the process decides.
    [{ pct: 95 }, true],
  ] as [{ pct: number; busiestThreadPct?: number }, boolean][])('a proxy with threads %o: saturated %s (by its busiest thread)', (cpu, want) => {
    const s = summarizeCpu({ windowMs: 1000, machineBusyPct: null, byProcess: [{ role: 'proxy', name: 'node-a', ...cpu }, { role: 'load-balancer', name: 'lb', ...cpu }] }, 2)
    expect(s.saturated).toHaveLength(want ? 2 : 0)
    if (want) expect(s.saturated[0]).toBe(`proxy node-a ${cpu.pct}%${cpu.busiestThreadPct === undefined ? '' : ` (busiest thread ${cpu.busiestThreadPct}%)`}`)
    expect(s.proxies).toEqual({ 'node-a': cpu.pct })
    expect(s.proxyBusiestThread).toEqual(cpu.busiestThreadPct === undefined ? undefined : { 'node-a': cpu.busiestThreadPct })
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

describe('per-thread sampling', () => {
  it('reads every thread of a process, and a proxy row gets its busiest thread (never above the process)', async () => {
    const threads = threadCpuMs(process.pid)
    expect(threads.size).toBeGreaterThan(1) // Node's main thread and its platform workers
    expect(threads.has(process.pid)).toBe(true) // the main thread's id is the pid
    expect(threadCpuMs(999_999_999).size).toBe(0)
    const sampler = createCpuSampler(() => [{ role: 'proxy', name: 'me', pid: process.pid }], 20)
    sampler.start()
    const until = Date.now() + 300
    while (Date.now() < until) Math.sqrt(Math.random())
    await new Promise((r) => setTimeout(r, 30))
    const row = sampler.stop().byProcess[0]!
    expect(row.busiestThreadPct).toBeGreaterThan(30)
    expect(row.busiestThreadPct).toBeLessThanOrEqual(row.pct)
  })
})
