// Minimal types for the parts of autocannon 9 svcbench uses (it ships none).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'
  interface AutocannonClient extends EventEmitter {
    _connect(): void
    _doRequest(...args: unknown[]): void
    _destroyConnection(): void
    conn: import('node:net').Socket
    destroyed: boolean
    [key: string]: unknown
  }
  interface AutocannonOptions {
    url: string | string[]
    connections?: number
    duration?: number
    sampleInt?: number
    timeout?: number
    headers?: Record<string, string>
    method?: string
    setupClient?: (client: AutocannonClient) => void
    [key: string]: unknown
  }
  interface Instance extends EventEmitter {
    stop(): void
  }
  function autocannon(opts: AutocannonOptions, cb: (err: Error | null, result: unknown) => void): Instance
  export default autocannon
  export type { AutocannonClient, AutocannonOptions, Instance }
}
