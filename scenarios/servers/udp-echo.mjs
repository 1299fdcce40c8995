// The ten-line UDP server of docs/own-service.md ("A UDP server"), used by test/integration/udp-own-service.test.ts.
import dgram from 'node:dgram'
import http from 'node:http'
const { HOST, PORT } = process.env
const name = Buffer.from(HOST)
const udp = dgram.createSocket('udp4')
udp.on('message', (q, from) => udp.send(Buffer.concat([q.subarray(0, 8), Buffer.from([name.length]), name]), from.port, from.address))
udp.bind(Number(PORT), HOST)
http.createServer((req, res) => res.end('ok')).listen(Number(PORT), HOST)
