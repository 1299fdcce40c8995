/** IPv4 dotted quad to an unsigned 32-bit integer. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is accepted. */
export function ipv4ToInt(ip: string): number {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  const parts = v4.split('.')
  if (parts.length !== 4) return foldIpv6(ip)
  let n = 0
  for (const p of parts) n = (n * 256 + (Number(p) & 255)) >>> 0
  return n
}

/** XOR of the four 32-bit words of an IPv6 address, as IPVS folds one. */
function foldIpv6(ip: string): number {
  const [head = '', tail = ''] = ip.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === '' ? [] : tail.split(':')
  const groups = [...h, ...new Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].map((g) => parseInt(g || '0', 16) & 0xffff)
  let x = 0
  for (let i = 0; i < 8; i += 2) x ^= (((groups[i] ?? 0) << 16) | (groups[i + 1] ?? 0)) >>> 0
  return x >>> 0
}

/** Orders addresses numerically (127.0.0.2 before 127.0.0.10); ties, e.g. IPv6 folds, by text. */
export function compareAddresses(a: string, b: string): number {
  return ipv4ToInt(a) - ipv4ToInt(b) || (a < b ? -1 : a > b ? 1 : 0)
}

/** Unsigned 32-bit integer to an IPv4 dotted quad. */
export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** True for addresses svcbench may send traffic to: 127.0.0.0/8 and ::1 (and their mapped forms). */
export function isLoopback(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4)
  if (m === null) return false
  const octets = m.slice(1).map(Number)
  return octets.every((o) => o <= 255) && octets[0] === 127
}

/** True for addresses in 198.18.0.0/15 (RFC 2544's benchmarking range), the kernel dataplane's, used only inside the run's network namespaces. */
export function isBenchmarkAddress(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host.startsWith('::ffff:') ? host.slice(7) : host)
  if (m === null) return false
  const octets = m.slice(1).map(Number)
  return octets.every((o) => o <= 255) && octets[0] === 198 && (octets[1] === 18 || octets[1] === 19)
}
