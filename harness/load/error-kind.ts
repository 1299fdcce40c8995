import type { ErrorKind } from '../model/variant-parts.ts'
/** How the load executors name a failed request's kind from its socket error. */

/** The kind of a socket error with this errno code (undefined: none). */
export function errnoKind(code: string | undefined): ErrorKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect-refused'
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset'
    case 'ETIMEDOUT':
      return 'timeout'
    default:
      return 'other'
  }
}
