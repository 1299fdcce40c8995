/** What svcbench's HTTP servers share. */
import type http from 'node:http'

/**
 * Let a client that shut down its write side after its request still get the answer. Node's HTTP
 * server (lib/_http_server.js `socketOnEnd`) drops the requests in progress and ends the socket on
 * the client's FIN unless `httpAllowHalfOpen` (a public, undocumented property; the underlying
 * net.Server already allows half-open sockets) is set; then it ends after the last response.
 */
export function answerAfterHalfClose(server: http.Server): void {
  ;(server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
}
