import { describe, expect, it } from 'vitest'
import { READ_BAD, READ_DONE, READ_MORE, ResponseReader } from '../../harness/load/response-reader.ts'

/** Feed `text` in pieces cut at `cuts`; the result of each feed. */
function feed(r: ResponseReader, text: string, cuts: number[] = []): number[] {
  const buf = Buffer.from(text, 'latin1')
  const ends = [...cuts, buf.length]
  let from = 0
  return ends.map((end) => {
    const out = r.feed(buf, from, end)
    from = end
    return out
  })
}

const ok = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: y\r\n\r\n'

describe('ResponseReader', () => {
  it.each([
    ['Content-Length', ok, 200, false],
    ['an empty body', 'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n', 503, false],
    ['chunked with extensions and trailers', chunked, 200, false],
    ['204 whatever its length says', 'HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n', 204, false],
    ['304', 'HTTP/1.1 304 Not Modified\r\n\r\n', 304, false],
    ['a 100 Continue before the final response', `HTTP/1.1 100 Continue\r\n\r\n${ok}`, 200, false],
    ['Connection: close', 'HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\nok', 200, true],
    ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', 200, true],
    ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok', 200, false],
    ['bytes past the response', `${ok}HTTP/1.1`, 200, true],
  ])('reads a response with %s', (_name, text, status, close) => {
    const r = new ResponseReader()
    expect(feed(r, text)).toEqual([READ_DONE])
    expect([r.status, r.close]).toEqual([status, close])
  })

  it.each([['Content-Length', ok], ['chunked', chunked]])('reads a %s response cut at every byte', (_name, text) => {
    for (let cut = 1; cut < text.length; cut++) {
      const r = new ResponseReader()
      const got = feed(r, text, [cut])
      expect(got, `cut at ${cut}`).toEqual([READ_MORE, READ_DONE])
      expect(r.status).toBe(200)
    }
    // One byte at a time.
    const r = new ResponseReader()
    const got = feed(r, text, Array.from({ length: text.length - 1 }, (_, i) => i + 1))
    expect(got.at(-1)).toBe(READ_DONE)
    expect(got.slice(0, -1).every((x) => x === READ_MORE)).toBe(true)
  })

  it('keeps a head split over reads even when the buffer it came in is reused', () => {
    const r = new ResponseReader()
    const shared = Buffer.alloc(64)
    const part = (s: string) => shared.write(s, 0, 'latin1')
    expect(r.feed(shared, 0, part('HTTP/1.1 404 Not Fou'))).toBe(READ_MORE)
    expect(r.feed(shared, 0, part('nd\r\nContent-Length: 3\r\n\r\nn'))).toBe(READ_MORE)
    expect(r.feed(shared, 0, part('o!'))).toBe(READ_DONE)
    expect(r.status).toBe(404)
  })

  it('waits for the close when no length is given (HTTP/1.0 style)', () => {
    const r = new ResponseReader()
    expect(feed(r, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome body')).toEqual([READ_MORE])
    expect([r.untilClose, r.status, r.close]).toEqual([true, 200, true])
  })

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n'],
    ['a bad status', 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n'],
    ['a bad length', 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('refuses %s', (_name, text) => {
    expect(feed(new ResponseReader(), text)).toEqual([READ_BAD])
  })

  it('reads the next response after reset()', () => {
    const r = new ResponseReader()
    expect(feed(r, 'HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).toEqual([READ_DONE])
    r.reset()
    expect(feed(r, ok)).toEqual([READ_DONE])
    expect([r.status, r.close]).toEqual([200, false])
  })
})
