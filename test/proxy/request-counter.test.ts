import { describe, it, expect } from 'vitest'
import { createRequestCounter } from '../../harness/proxy/accounting.ts'

const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:30080\r\nConnection: keep-alive\r\n\r\n`

describe('createRequestCounter (L4 request counting for command pods)', () => {
  it('counts requests in one chunk, pipelined, and split at every possible byte', () => {
    const stream = Buffer.from(req('/') + req('/a') + req('/b?x=1'))
    expect(createRequestCounter()(stream)).toBe(3)
    for (let cut = 0; cut <= stream.length; cut++) {
      const count = createRequestCounter()
      expect(count(stream.subarray(0, cut)) + count(stream.subarray(cut)), `cut at ${cut}`).toBe(3)
    }
  })
  it('byte by byte, and with stray CR/LF runs that are not terminators', () => {
    const count = createRequestCounter()
    const s = Buffer.from(`${req('/')}\r\r\n\r\n`)
    let n = 0
    for (const b of s) n += count(Uint8Array.of(b))
    // "\r\r\n\r\n" ends in a terminator too (a bare CRLF CRLF): 2.
    expect(n).toBe(2)
    expect(createRequestCounter()(Buffer.from('GET / HTTP/1.1\r\nA: b\r\n\rX\r\n\r\n'))).toBe(1)
  })
})
