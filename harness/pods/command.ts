/**
 * Child entry for a command pod (cluster.pod.command): a small supervisor that starts your
 * server in its own process group with HOST and PORT set, writes its output to the pod's log
 * file, waits for the readiness path, and speaks svcbench's IPC for it.
 *
 * Faults are real signals to the server's process group: kill-pod is SIGKILL (sent by the run
 * process to the group, see child.ts), hang-pod is SIGSTOP (the kernel still accepts connections;
 * nothing answers), recover-pod is SIGCONT, deletion forwards SIGTERM. If the run process goes
 * away (IPC disconnect, even after a SIGKILL), the supervisor kills the group before it exits.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { readChildConfig, serveIpc } from '../process/ipc.ts'
import { httpGetStatus } from '../util/probe.ts'
import { emptyPodStats } from './server.ts'
import { CHILD_CONFIG_ENV, type PodFault } from '../model/wire.ts'
import type { PodStats } from '../model/measurements.ts'
import type { CommandPodConfig, CommandPodReady } from '../model/wire.ts'

const config = readChildConfig<CommandPodConfig>()
const TAIL_BYTES = 4096

function logTail(): string {
  try {
    const size = fs.statSync(config.logFile).size
    const fd = fs.openSync(config.logFile, 'r')
    const buf = Buffer.alloc(Math.min(TAIL_BYTES, size))
    fs.readSync(fd, buf, 0, buf.length, size - buf.length)
    fs.closeSync(fd)
    const lines = buf.toString('utf8').trimEnd().split('\n').filter((l) => !l.startsWith('--- svcbench:'))
    return lines.slice(-10).join('\n')
  } catch {
    return ''
  }
}

const withTail = (msg: string) => {
  const t = logTail()
  return `${msg}; log ${config.logFile}${t === '' ? ' is empty' : `, last lines:\n${t.split('\n').map((l) => `    ${l}`).join('\n')}`}`
}

fs.mkdirSync(path.dirname(config.logFile), { recursive: true })
const fd = fs.openSync(config.logFile, 'a')
fs.writeSync(fd, `--- svcbench: ${new Date().toISOString()} ${config.name} on ${config.address}:${config.port}: ${config.argv.join(' ')}\n`)

const env: NodeJS.ProcessEnv = { ...process.env, ...config.env, HOST: config.address, PORT: String(config.port), SVCBENCH_RUN: config.runId }
delete env[CHILD_CONFIG_ENV]
delete env.NODE_OPTIONS // tsx's loader is svcbench's business, not the server's

const server = spawn(config.argv[0] as string, config.argv.slice(1), { cwd: config.cwd, env, detached: true, stdio: ['ignore', fd, fd] })
const group = server.pid
// Tell the run process the group at once: if it SIGKILLs this supervisor during start-up (another
// pod failed, Ctrl-C), it kills the server's group itself.
if (group !== undefined) process.send?.({ type: 'group', groupPid: group })
let ready = false
let exited = false

const signalGroup = (sig: NodeJS.Signals) => {
  if (group === undefined || exited) return
  try {
    process.kill(-group, sig)
  } catch {
    // already gone
  }
}
// Whatever ends the supervisor ends the server with it.
process.on('exit', () => signalGroup('SIGKILL'))

const fail = (msg: string) => {
  process.send?.({ type: 'failed', error: msg }, () => process.exit(1))
}

server.on('error', (err) => {
  exited = true
  fail(`cannot start ${JSON.stringify(config.argv[0])} in ${config.cwd}: ${err.message}`)
})
server.on('exit', (code, signal) => {
  exited = true
  fs.writeSync(fd, `--- svcbench: ${new Date().toISOString()} ${config.name} exited (code ${code}, signal ${signal})\n`)
  if (!ready) {
    fail(withTail(`exited before it was ready (code ${code}, signal ${signal})`))
    return
  }
  // After ready: the run process sees the supervisor exit; stderr carries the reason.
  process.stderr.write(`${withTail(`server exited (code ${code}, signal ${signal})`)}\n`)
  process.exit(1)
})

serveIpc({
  reset: () => undefined,
  // Counts for command pods come from the node proxies (cluster.ts); a pod process knows nothing.
  stats: (): PodStats => emptyPodStats(config.name),
  fault: (p) => {
    const f = p as PodFault
    if (f.extraLatencyMs > 0 || f.errorRate !== null) throw new Error('slow-pod and fail-pod need the built-in pod')
    signalGroup(f.hang ? 'SIGSTOP' : 'SIGCONT')
  },
})

// Deletion: SIGTERM to the server (woken first if hung); exit once it has.
process.on('SIGTERM', () => {
  signalGroup('SIGCONT')
  signalGroup('SIGTERM')
  if (exited) process.exit(0)
  server.once('exit', () => process.exit(0))
})

const deadline = Date.now() + config.startupTimeoutMs
let lastStatus: number | undefined
while (!exited && Date.now() < deadline) {
  lastStatus = await httpGetStatus({ host: config.address, port: config.port, path: config.readinessPath, localAddress: '127.0.0.1', timeoutMs: 1000 })
  if (lastStatus !== undefined && lastStatus >= 200 && lastStatus < 400) {
    ready = true
    process.send?.({ type: 'ready', data: { port: config.port, groupPid: group as number } satisfies CommandPodReady })
    break
  }
  await new Promise((r) => setTimeout(r, 50))
}
if (!ready && !exited) {
  const answer = lastStatus === undefined ? 'no answer' : `answered ${lastStatus}`
  fail(withTail(`not ready after ${config.startupTimeoutMs} ms (GET http://${config.address}:${config.port}${config.readinessPath}: ${answer}; it must listen on HOST:PORT from its environment and answer 2xx/3xx there)`))
  signalGroup('SIGKILL')
}
