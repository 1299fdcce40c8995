/**
 * One loopback address per thing (DESIGN.md "One address per thing"). A run owns a /16 block
 * 127.B.0.0/16; inside it:
 *
 *   127.B.0.1          lock (a listener held for the run's lifetime: owning it owns the block)
 *   127.B.0.20         reference pod of the calibration path (--trials, --baseline)
 *   127.B.0.10         front load balancer (reserved for LoadBalancer services)
 *   127.B.1.(i+1)      node i (its NodePort proxy listens here)
 *   127.B.100.(i+1)    node i's stand-in for the Service's ClusterIP (its proxy intercepts it there;
 *                      on loopback every node needs its own: a socket cannot tell a client's node)
 *   127.B.(2+⌊j/250⌋).(j mod 250 + 1)     pod j (j < 200 → 127.B.2.x)
 *   127.B.(128+⌊k/250⌋).(k mod 250 + 1)   client source address k (k < 32000); in-cluster client k
 *                      (a client pod) has the same address
 *
 * Linux routes all of 127.0.0.0/8 to loopback, so no setup is needed.
 */
import net from 'node:net'
import { HarnessError } from '../errors.ts'

/** Port of the lock listener on 127.B.0.1. */
export const LOCK_PORT = 39999
/**
 * The block a scenario prefers: the same one run after run (when free), so that hashing
 * balancers see the same client addresses and a baseline compares like with like.
 */
export function preferredBlock(scenario: string): number {
  let h = 2166136261
  for (let i = 0; i < scenario.length; i++) h = Math.imul(h ^ scenario.charCodeAt(i), 16777619) >>> 0
  return MIN_BLOCK + (h % (MAX_BLOCK - MIN_BLOCK + 1))
}

/** Lowest and highest block numbers svcbench uses (127.0.x is left to everything else). */
export const MIN_BLOCK = 16
export const MAX_BLOCK = 250

/** The addresses of one run. Pure: computing them opens nothing. */
export interface AddressPlan {
  block: number
  lock: string
  frontLb: string
  /** The calibration path's reference pod. */
  reference: string
  node(i: number): string
  pod(j: number): string
  client(k: number): string
  /** In-cluster client k (a client pod on any node): client address k. */
  clientPod(k: number): string
  /** Node i's stand-in for the Service's ClusterIP. */
  clusterIp(i: number): string
}

/** Addresses in block `block` (16..250). */
export function addressPlan(block: number): AddressPlan {
  const base = `127.${block}`
  return {
    block,
    lock: `${base}.0.1`,
    frontLb: `${base}.0.10`,
    reference: `${base}.0.20`,
    node: (i) => `${base}.1.${i + 1}`,
    pod: (j) => `${base}.${2 + Math.floor(j / 250)}.${(j % 250) + 1}`,
    client: (k) => `${base}.${128 + Math.floor(k / 250)}.${(k % 250) + 1}`,
    clientPod: (k) => `${base}.${128 + Math.floor(k / 250)}.${(k % 250) + 1}`,
    clusterIp: (i) => `${base}.100.${i + 1}`,
  }
}

/** A block held by this process until `release()`. */
export interface BlockLease {
  plan: AddressPlan
  release(): Promise<void>
}

function tryListen(host: string, port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.unref()
    srv.once('error', () => resolve(undefined))
    srv.listen({ host, port, exclusive: true }, () => resolve(srv))
  })
}

/** Options for {@link leaseBlock}. */
export interface LeaseOptions {
  /** Use exactly this block (env SVCBENCH_ADDRESS_BLOCK); fail if it is taken. */
  block?: number
  /** Try this block first (then the others from a random start). */
  prefer?: number
}

/**
 * Reserve a free block by listening on its lock address. Blocks are tried from a random start,
 * so concurrent runs and test files land on different blocks; the listener makes it exclusive.
 */
export async function leaseBlock(opts: LeaseOptions = {}): Promise<BlockLease> {
  const candidates: number[] = []
  if (opts.block !== undefined) {
    candidates.push(opts.block)
  } else {
    const span = MAX_BLOCK - MIN_BLOCK + 1
    const start = Math.floor(Math.random() * span)
    if (opts.prefer !== undefined && opts.prefer >= MIN_BLOCK && opts.prefer <= MAX_BLOCK) candidates.push(opts.prefer)
    for (let i = 0; i < span; i++) candidates.push(MIN_BLOCK + ((start + i) % span))
  }
  for (const b of candidates) {
    const plan = addressPlan(b)
    const srv = await tryListen(plan.lock, LOCK_PORT)
    if (srv !== undefined) {
      return {
        plan,
        release: () => new Promise<void>((resolve) => srv.close(() => resolve())),
      }
    }
  }
  throw new HarnessError(
    'ADDRESS_BLOCK_UNAVAILABLE',
    opts.block !== undefined
      ? `address block 127.${opts.block}.0.0/16 is in use (${addressPlan(opts.block).lock}:${LOCK_PORT} is taken)`
      : `no free address block in 127.${MIN_BLOCK}-${MAX_BLOCK}.0.0/16`,
  )
}
