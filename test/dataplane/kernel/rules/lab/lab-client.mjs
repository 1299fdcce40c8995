// The kernel rule tests' client, run inside the client network namespace. Reads one JSON command a
// line on stdin and answers each with one JSON line on stdout:
// - {op:"connect", host, port, count, timeoutMs}: `count` TCP connections one after another; per pod
//   the greetings, the client addresses the pods saw, and errors by code (TIMEOUT when no answer).
// - {op:"open", id, host, port, timeoutMs} / {op:"send", id, timeoutMs}: a connection kept open, and
//   one exchange on it (the pod that answers).
// - {op:"udp", host, port, sourcePort, timeoutMs}: one datagram from a fixed source port.
// Exits when its stdin closes.
import dgram from 'node:dgram'
import net from 'node:net'
import readline from 'node:readline'

const open = new Map()

function firstLine(socket, timeoutMs) {
  return new Promise((resolve) => {
    let buf = ''
    const done = (v) => {
      clearTimeout(timer)
      socket.removeAllListeners('data')
      resolve(v)
    }
    const timer = setTimeout(() => done({ error: 'TIMEOUT' }), timeoutMs)
    socket.on('data', (d) => {
      buf += d
      const i = buf.indexOf('\n')
      if (i >= 0) done({ line: buf.slice(0, i) })
    })
    socket.once('error', (e) => done({ error: e.code ?? e.message }))
  })
}

async function connectOnce(host, port, timeoutMs) {
  const s = net.connect({ host, port })
  const r = await firstLine(s, timeoutMs)
  return { r, s }
}

async function connect({ host, port, count, timeoutMs }) {
  const byPod = {}
  const sources = {}
  const errors = {}
  for (let i = 0; i < count; i++) {
    const { r, s } = await connectOnce(host, port, timeoutMs)
    s.destroy()
    if (r.error !== undefined) errors[r.error] = (errors[r.error] ?? 0) + 1
    else {
      const [pod, source] = r.line.split(' ')
      byPod[pod] = (byPod[pod] ?? 0) + 1
      sources[source] = (sources[source] ?? 0) + 1
    }
  }
  return { byPod, sources, errors }
}

function udp({ host, port, sourcePort, timeoutMs }) {
  return new Promise((resolve) => {
    const u = dgram.createSocket('udp4')
    let settled = false
    const done = (v) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      try {
        u.close()
      } catch {
        // A socket that never bound cannot be closed; there is nothing to free.
      }
      resolve(v)
    }
    const timer = setTimeout(() => done({ error: 'TIMEOUT' }), timeoutMs)
    u.on('message', (m) => done({ pod: String(m) }))
    u.on('error', (e) => done({ error: e.code ?? e.message }))
    u.bind(sourcePort, () => u.send('?', port, host))
  })
}

async function run(cmd) {
  if (cmd.op === 'connect') return connect(cmd)
  if (cmd.op === 'udp') return udp(cmd)
  if (cmd.op === 'open') {
    const { r, s } = await connectOnce(cmd.host, cmd.port, cmd.timeoutMs)
    open.set(cmd.id, s)
    return r.error !== undefined ? r : { pod: r.line.split(' ')[0] }
  }
  if (cmd.op === 'send') {
    const s = open.get(cmd.id)
    s.write('?')
    const r = await firstLine(s, cmd.timeoutMs)
    return r.error !== undefined ? r : { pod: r.line }
  }
  if (cmd.op === 'close') {
    open.get(cmd.id)?.destroy()
    open.delete(cmd.id)
    return {}
  }
  return { error: `unknown op ${cmd.op}` }
}

let queue = Promise.resolve()
// One answer per command, in order, even when a command throws (a rejected queue would answer no more).
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    let answer
    try {
      answer = await run(JSON.parse(line))
    } catch (e) {
      answer = { error: `client: ${e?.message ?? e}` }
    }
    process.stdout.write(JSON.stringify(answer) + '\n')
  })
})
process.stdin.on('end', () => queue.then(() => process.exit(0)))
