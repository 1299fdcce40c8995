/** Health probes shared by the kubelet's readiness probes and the load balancer's health checks. */
import http from 'node:http'
import net from 'node:net'

/** Where to probe, from which source address, and how long to wait. */
export interface ProbeTarget {
  host: string
  port: number
  localAddress: string
  timeoutMs: number
}

/** Status of an HTTP GET, or undefined when it failed or timed out. Settles exactly once. */
export function httpGetStatus(t: ProbeTarget & { path: string; headers?: Record<string, string> }): Promise<number | undefined> {
  return new Promise((resolve) => {
    let done = false
    const finish = (status: number | undefined) => {
      if (!done) {
        done = true
        resolve(status)
      }
    }
    const req = http.get({ host: t.host, port: t.port, path: t.path, localAddress: t.localAddress, agent: false, timeout: t.timeoutMs, headers: t.headers }, (res) => {
      res.resume()
      finish(res.statusCode ?? 0)
    })
    req.on('timeout', () => {
      req.destroy()
      finish(undefined)
    })
    req.on('error', () => finish(undefined))
  })
}

/** Whether a TCP connect succeeds within the timeout. Settles exactly once. */
export function tcpConnects(t: ProbeTarget): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false
    const finish = (ok: boolean) => {
      if (!done) {
        done = true
        resolve(ok)
      }
    }
    const sock = net.connect({ host: t.host, port: t.port, localAddress: t.localAddress })
    sock.setTimeout(t.timeoutMs, () => {
      sock.destroy()
      finish(false)
    })
    sock.once('connect', () => {
      sock.destroy()
      finish(true)
    })
    sock.on('error', () => finish(false))
  })
}
