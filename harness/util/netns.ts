/** Which network namespace this process is in (Linux: /proc and the named namespaces under /run/netns). */
import fs from 'node:fs'

/** Whether this process runs inside the network namespace named `name` (/run/netns/<name>). */
export function inNamedNetns(name: string): boolean {
  if (name === '' || name.includes('/')) return false
  try {
    const named = fs.statSync(`/run/netns/${name}`)
    const own = fs.statSync('/proc/self/ns/net')
    return named.ino === own.ino && named.dev === own.dev
  } catch {
    return false
  }
}
