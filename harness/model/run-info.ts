/** What every result says about where it was made: the versions and the machine (RunResult). Types only. */

/** Versions recorded in every result. */
export interface Versions {
  /** svcbench's version (its package.json). */
  svcbench: string
  /** The Node.js that ran svcbench (process.version, e.g. `v20.11.1`). */
  node: string
  /** The installed autocannon's version (the load generator). */
  autocannon: string
  /** The installed undici's version (the HTTP client of the L7 proxy and the least-outstanding load balancer). */
  undici: string
}

/** The machine a run ran on. */
export interface Machine {
  /** Logical CPUs (os.cpus().length). */
  cpus: number
  /** The first CPU's model name as the OS reports it; `unknown` when it reports none. */
  cpuModel: string
  /** The operating system (os.platform(), e.g. `linux`). */
  platform: string
  /** The CPU architecture (os.arch(), e.g. `x64`). */
  arch: string
  /** Total memory, bytes (os.totalmem()). */
  totalMemoryBytes: number
}
