/** The UDP server of docs/own-service.md as the pods of a UDP Service: it runs, every query is answered, per-pod queries come from the node proxies. */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runVariants } from '../helpers/run.ts'
import { ROOT } from '../helpers/cli.ts'

describe('a UDP Service with your own server as the pods', () => {
  it('runs the documented ten-line UDP server, and each answer names its pod', async () => {
    const [v] = await runVariants({
      name: 'udp-own',
      cluster: { nodes: 2, replicas: 2, pod: { command: 'node servers/udp-echo.mjs', cwd: path.join(ROOT, 'scenarios'), readinessPath: '/' } },
      service: { protocol: 'UDP' },
      load: { warmup: '200ms', duration: '600ms', rate: 200, clientIps: 4, requestTimeout: '1s', udpSourcePort: 'fixed' },
    })
    expect(v!.errors.total).toBe(0)
    expect(v!.countedBy).toBe('proxies')
    expect(v!.requests.ok).toBeGreaterThan(100)
    expect(v!.requests.podSide).toBeGreaterThanOrEqual(v!.requests.ok)
    // The server names itself by its address: every client is answered by one (fixed source ports).
    expect(v!.udp!.clients.every((c) => c.pods.length === 1 && /^127\./.test(c.pods[0]!))).toBe(true)
  })

  it('is the server docs/own-service.md shows', () => {
    const code = fs.readFileSync(path.join(ROOT, 'scenarios/servers/udp-echo.mjs'), 'utf8').split('\n').slice(1).join('\n')
    expect(fs.readFileSync(path.join(ROOT, 'docs/own-service.md'), 'utf8')).toContain('```js\n' + code + '```')
  })
})
