// Tiny "pods" for the kernel rule tests: for each {name, address} of argv[2] (JSON), a TCP server
// that greets every connection with "<name> <client address>\n" and answers every later chunk with
// "<name>\n", and a UDP socket that answers every datagram with "<name>". Prints "ready" when all
// listen; exits when its stdin closes, so it cannot outlive the test that started it.
import dgram from 'node:dgram'
import net from 'node:net'

const { pods, port } = JSON.parse(process.argv[2])
let pending = pods.length * 2
const listening = () => {
  if (--pending === 0) process.stdout.write('ready\n')
}
for (const { name, address } of pods) {
  net
    .createServer((s) => {
      s.on('error', () => {})
      s.write(`${name} ${s.remoteAddress}\n`)
      s.on('data', () => s.write(`${name}\n`))
    })
    .listen(port, address, listening)
  const u = dgram.createSocket('udp4')
  u.on('message', (_msg, from) => u.send(name, from.port, from.address))
  u.bind(port, address, listening)
}
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
