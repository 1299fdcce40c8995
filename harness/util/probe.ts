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

/** One kubelet probe of a pod: an HTTP GET of `path` (httpGet) or a TCP connect (tcpSocket). */
export interface KubeletProbe {
  type: 'httpGet' | 'tcpSocket'
  host: string
  port: number
  path: string
  timeoutMs: number
  /** Request headers of an httpGet probe (the kubelet's User-Agent). */
  headers?: Record<string, string>
}

/**
 * Whether a kubelet probe passes, sent from `localAddress`: tcpSocket when the connection opens
 * (pkg/probe/tcp), httpGet on any status from 200 to 399 (pkg/probe/http).
 */
export async function kubeletProbePasses(p: KubeletProbe, localAddress: string): Promise<boolean> {
  const target = { host: p.host, port: p.port, localAddress, timeoutMs: p.timeoutMs }
  if (p.type === 'tcpSocket') return tcpConnects(target)
  const status = await httpGetStatus({ ...target, path: p.path, headers: p.headers })
  return status !== undefined && status >= 200 && status < 400
}
