import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { isRunning, spawnGuarded } from '../../harness/process/guarded.ts'

const GUARDED = fileURLToPath(new URL('../../harness/process/guarded.ts', import.meta.url))

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs
  while (Date.now() < until) {
    if (!isRunning(pid)) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return !isRunning(pid)
}

describe('spawnGuarded', () => {
  it('gives the program its pid, and kill() stops it', async () => {
    const g = spawnGuarded('sleep', ['30'])
    const pid = await g.pid
    expect(pid).toBeGreaterThan(0)
    expect(g.running()).toBe(true)
    g.kill()
    expect(await gone(pid!, 1000)).toBe(true)
  })
  it('tells a program that exited at once (with its standard error)', async () => {
    const g = spawnGuarded('sh', ['-c', 'echo "bad config" >&2; exit 1'])
    const pid = await g.pid
    expect(await gone(pid!, 1000)).toBe(true)
    expect(g.running()).toBe(false)
    await new Promise((r) => setTimeout(r, 50))
    expect(g.stderr()).toContain('bad config')
    g.kill()
  })
  it('the program dies with its starter, even when the starter is SIGKILLed', async () => {
    const starter = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${GUARDED}').then(async (m) => { const g = m.spawnGuarded('sleep', ['30']); console.log(await g.pid); setInterval(() => {}, 1000) })`], { stdio: ['ignore', 'pipe', 'inherit'] })
    const pid = await new Promise<number>((resolve) => starter.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))))
    expect(isRunning(pid)).toBe(true)
    starter.kill('SIGKILL')
    expect(await gone(pid, 2000)).toBe(true)
  })
})
