/**
 * A throwaway three-namespace lab for the kernel rule tests, named uniquely per test run and
 * touching nothing in the host's namespace (every link is created inside the lab's namespaces):
 *
 *   client ns  c0 198.18.1.2/24 ──veth── c1 198.18.1.1/24  node ns  p1 198.18.2.1/24 ──veth── p0 198.18.2.2-4/24  pods ns
 *
 * The node namespace forwards (net.ipv4.ip_forward=1) and holds the rules; the pods answer on
 * port 8080 (lab/pod-server.mjs); the client (lab/lab-client.mjs) takes JSON commands. Traffic
 * stays in 198.18.0.0/15 inside these namespaces.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'

const HERE = import.meta.dirname

/** Node address on the client side (the NodePort address) and on the pod side (the masquerade source). */
export const NODE_ADDRESS = '198.18.1.1'
/** The node's address towards the pods: what a masqueraded connection comes from. */
export const NODE_POD_SIDE_ADDRESS = '198.18.2.1'
/** The client's address. */
export const CLIENT_ADDRESS = '198.18.1.2'
/** The pods' addresses (one namespace holds them all). */
export const POD_ADDRESSES = ['198.18.2.2', '198.18.2.3', '198.18.2.4'] as const
/** The port every pod listens on (TCP and UDP). */
export const POD_PORT = 8080
/** Where the tests' ClusterIPs live; the node namespace routes it (as a node's default route would). */
export const SERVICE_CIDR = '198.18.100.0/24'
/** The pods' CIDR, given to the rules as the cluster CIDR. */
export const POD_CIDR = '198.18.2.0/24'

/** Whether this machine can run the lab: root, with ip, nft, iptables-restore and conntrack. */
export function labAvailable(): boolean {
  if (process.getuid?.() !== 0) return false
  return ['ip', 'nft', 'iptables-restore', 'iptables-save', 'conntrack'].every((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0)
}

/** Runs one command, throwing with its stderr when it fails. */
function sh(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim()}`)
  return r.stdout
}

/** The lab's namespace names currently in `ip netns list`. */
export function listedNamespaces(prefix: string): string[] {
  return sh(['ip', 'netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix))
}

/** A JSON-line client running in the client namespace. */
export interface LabClient {
  /** Sends one command and resolves with its answer. */
  send<T>(cmd: Record<string, unknown>): Promise<T>
}

/** A started lab. */
export interface Lab {
  /** Namespace names. */
  node: string
  client: string
  pods: string
  /** The client in the client namespace. */
  clientProcess: LabClient
  /** Stops the processes and deletes the namespaces. */
  destroy(): Promise<void>
}

/** Starts a Node script inside `netns` and waits for its first stdout line when `ready` is given. */
function startInNetns(netns: string, script: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn('ip', ['netns', 'exec', netns, process.execPath, path.join(HERE, script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
}

function waitForLine(child: ChildProcessWithoutNullStreams, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const rl = readline.createInterface({ input: child.stdout })
    rl.once('line', (l) => resolve(l))
    child.once('exit', (code) => reject(new Error(`${what} exited ${code}: ${err}`)))
  })
}

/** Longest a client command may take before the test fails, ms (the slowest waits 4.5 s for a REJECT). */
const CLIENT_COMMAND_TIMEOUT_MS = 10_000

function clientOf(child: ChildProcessWithoutNullStreams): LabClient {
  const rl = readline.createInterface({ input: child.stdout })
  const waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = []
  let stderr = ''
  // After a timeout a late answer would go to the next command: the client is of no more use.
  let broken: Error | undefined
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  rl.on('line', (l) => waiting.shift()?.resolve(l))
  child.once('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`lab client exited (${code ?? signal}): ${stderr}`))
  })
  return {
    send<T>(cmd: Record<string, unknown>): Promise<T> {
      return new Promise((resolve, reject) => {
        if (broken !== undefined) return reject(broken)
        const timer = setTimeout(() => {
          broken = new Error(`lab client gave no answer to ${JSON.stringify(cmd)} in ${CLIENT_COMMAND_TIMEOUT_MS} ms: ${stderr}`)
          reject(broken)
        }, CLIENT_COMMAND_TIMEOUT_MS)
        const done = () => clearTimeout(timer)
        waiting.push({ resolve: (l) => (done(), resolve(JSON.parse(l) as T)), reject: (e) => (done(), reject(e)) })
        child.stdin.write(JSON.stringify(cmd) + '\n')
      })
    },
  }
}

/** Stops a child by closing its stdin, then SIGKILLs it (and `ip netns exec` with it) if it lingers. */
async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.stdin.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), 1000)
  await exited
  clearTimeout(timer)
}

/** Creates the lab's namespaces (names start with `prefix`), links and addresses, and starts pods and client. */
export async function createLab(prefix: string, podNames: readonly string[]): Promise<Lab> {
  const node = `${prefix}-node`
  const client = `${prefix}-client`
  const pods = `${prefix}-pods`
  const children: ChildProcessWithoutNullStreams[] = []
  const destroy = async () => {
    await Promise.all(children.map(stop))
    for (const ns of [node, client, pods]) spawnSync('ip', ['netns', 'delete', ns])
  }
  try {
    for (const ns of [node, client, pods]) sh(['ip', 'netns', 'add', ns])
    sh(['ip', '-n', node, 'link', 'add', 'c1', 'type', 'veth', 'peer', 'name', 'c0', 'netns', client])
    sh(['ip', '-n', node, 'link', 'add', 'p1', 'type', 'veth', 'peer', 'name', 'p0', 'netns', pods])
    const cmds: [string, ...string[]][] = [
      [node, 'addr', 'add', `${NODE_ADDRESS}/24`, 'dev', 'c1'],
      [node, 'addr', 'add', `${NODE_POD_SIDE_ADDRESS}/24`, 'dev', 'p1'],
      [client, 'addr', 'add', `${CLIENT_ADDRESS}/24`, 'dev', 'c0'],
      ...POD_ADDRESSES.map((a): [string, ...string[]] => [pods, 'addr', 'add', `${a}/24`, 'dev', 'p0']),
      ...[node, client, pods].flatMap((ns): [string, ...string[]][] => [[ns, 'link', 'set', 'lo', 'up']]),
      [node, 'link', 'set', 'c1', 'up'],
      [node, 'link', 'set', 'p1', 'up'],
      [client, 'link', 'set', 'c0', 'up'],
      [pods, 'link', 'set', 'p0', 'up'],
      [client, 'route', 'add', 'default', 'via', NODE_ADDRESS],
      [pods, 'route', 'add', 'default', 'via', NODE_POD_SIDE_ADDRESS],
      // A node routes ClusterIPs somewhere (its default route in a cluster): without a route, a
      // ClusterIP with no endpoints answers "network unreachable" instead of kube-proxy's REJECT.
      [node, 'route', 'add', SERVICE_CIDR, 'dev', 'c1'],
    ]
    for (const [ns, ...args] of cmds) sh(['ip', '-n', ns, ...args])
    sh(['ip', 'netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])

    const podSpec = podNames.map((name, i) => ({ name, address: POD_ADDRESSES[i] }))
    const server = startInNetns(pods, 'pod-server.mjs', [JSON.stringify({ pods: podSpec, port: POD_PORT })])
    children.push(server)
    const ready = await waitForLine(server, 'pod server')
    if (ready !== 'ready') throw new Error(`pod server said ${ready}`)
    const c = startInNetns(client, 'lab-client.mjs', [])
    children.push(c)
    return { node, client, pods, clientProcess: clientOf(c), destroy }
  } catch (err) {
    await destroy()
    throw err
  }
}
