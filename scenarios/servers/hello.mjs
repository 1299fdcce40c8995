// A small HTTP service standing in for yours: svcbench starts one per replica with HOST and PORT
// set. It answers GET /healthz with 200 once listening, and every other request with a JSON body
// after WORK_MS of simulated work. SIGTERM closes the listener, finishes what is in flight, exits.
import http from 'node:http'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 8080)
const workMs = Number(process.env.WORK_MS ?? 0)
const name = `${host}:${port}`
let served = 0

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
    return
  }
  served++
  const answer = () => {
    const body = JSON.stringify({ pod: name, path: req.url, served })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }
  if (workMs > 0) setTimeout(answer, workMs)
  else answer()
})
server.keepAliveTimeout = 65_000

server.listen(port, host, () => console.log(`hello: listening on ${name} (WORK_MS=${workMs})`))
process.on('SIGTERM', () => {
  console.log(`hello: SIGTERM after ${served} requests; closing`)
  server.close(() => process.exit(0))
  server.closeIdleConnections()
})
