/**
 * Reads HTTP/1.1 responses off a socket's bytes for the open executor, one response at a time
 * (no pipelining), without allocating per response in the common case: the head is scanned
 * byte by byte for the status, Content-Length, Transfer-Encoding and Connection, and the body is
 * skipped, framed as RFC 9112 §6.3 says: no body for 1xx, 204 and 304; chunked; Content-Length;
 * else until the server closes. Only a head split over reads is copied. A 1xx head is passed over
 * (the final response follows it). Pure: no sockets.
 */

const CR = 13
const LF = 10
/** A response head larger than this is refused (as the L7 proxy refuses a request head). */
export const MAX_HEAD_BYTES = 64 * 1024

/** What {@link ResponseReader.feed} found: the response is not complete yet. */
export const READ_MORE = 0
/** The response is complete. */
export const READ_DONE = 1
/** The bytes are not an HTTP/1.x response the reader can frame. */
export const READ_BAD = 2
/** One of READ_MORE, READ_DONE, READ_BAD. */
export type Read = typeof READ_MORE | typeof READ_DONE | typeof READ_BAD

enum Phase {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
}

const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c)

/** Whether buf[from, from + name.length) is `name` (lower case ASCII), ignoring case. */
function nameIs(buf: Buffer, from: number, len: number, name: string): boolean {
  if (len !== name.length) return false
  for (let i = 0; i < len; i++) if (lower(buf[from + i] as number) !== name.charCodeAt(i)) return false
  return true
}

/** Whether buf[from, to) holds `token` (lower case ASCII) as a word, ignoring case. */
function hasToken(buf: Buffer, from: number, to: number, token: string): boolean {
  const n = token.length
  for (let i = from; i + n <= to; i++) {
    let k = 0
    while (k < n && lower(buf[i + k] as number) === token.charCodeAt(k)) k++
    if (k === n) {
      const before = i === from ? 32 : (buf[i - 1] as number)
      const after = i + n === to ? 32 : (buf[i + n] as number)
      const sep = (c: number) => c === 32 || c === 9 || c === 44 || c === 59
      if (sep(before) && sep(after)) return true
    }
  }
  return false
}

/** Hex digit value, or -1. */
function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const l = lower(c)
  return l >= 97 && l <= 102 ? l - 87 : -1
}

/** One connection's response reader; reset() before each request. */
export class ResponseReader {
  /** The final response's status (0 until its head was read). */
  status = 0
  /** The server said `Connection: close`, or answered HTTP/1.0 without keep-alive, or sent bytes past the response. */
  close = false
  private phase = Phase.Head
  private left = 0
  private head: Buffer | null = null
  private sawDigit = false
  private inExt = false
  private lineLen = 0

  /** Ready for the next response. */
  reset(): void {
    this.status = 0
    this.close = false
    this.phase = Phase.Head
    this.left = 0
    this.head = null
  }

  /** Whether the response ends when the server closes the connection (no length given). */
  get untilClose(): boolean {
    return this.phase === Phase.UntilClose
  }

  /** Read buf[start, end): Done when the response is complete, More when not yet, Bad when it cannot be read. */
  feed(buf: Buffer, start: number, end: number): Read {
    let i = start
    while (i < end) {
      switch (this.phase) {
        case Phase.Head: {
          const r = this.takeHead(buf, i, end)
          if (r < 0) return r === -1 ? READ_MORE : READ_BAD
          i = r
          if (this.phase === Phase.Head) continue // a 1xx: the final response follows
          if (this.bodyDone()) return this.finish(i, end)
          break
        }
        case Phase.Length: {
          const take = Math.min(this.left, end - i)
          this.left -= take
          i += take
          if (this.left === 0) return this.finish(i, end)
          break
        }
        case Phase.ChunkData: {
          const take = Math.min(this.left, end - i)
          this.left -= take
          i += take
          if (this.left === 0) {
            this.phase = Phase.ChunkEnd
            this.left = 2
          }
          break
        }
        case Phase.ChunkEnd:
          // The CRLF after a chunk's data.
          i++
          if (--this.left === 0) this.startChunkSize()
          break
        case Phase.ChunkSize: {
          const c = buf[i++] as number
          if (c === LF) {
            if (!this.sawDigit) return READ_BAD
            if (this.left === 0) {
              this.phase = Phase.Trailers
              this.lineLen = 0
            } else this.phase = Phase.ChunkData
          } else if (c === 59) this.inExt = true
          else if (!this.inExt && c !== CR && c !== 32 && c !== 9) {
            const v = hex(c)
            if (v < 0 || this.left > 0x7ffffff) return READ_BAD
            this.left = this.left * 16 + v
            this.sawDigit = true
          }
          break
        }
        case Phase.Trailers: {
          const c = buf[i++] as number
          if (c === LF) {
            if (this.lineLen === 0) return this.finish(i, end)
            this.lineLen = 0
          } else if (c !== CR) this.lineLen++
          break
        }
        case Phase.UntilClose:
          return READ_MORE
      }
    }
    return READ_MORE
  }

  /** Done, with `close` set when bytes follow the response (the connection is out of step). */
  private finish(i: number, end: number): Read {
    if (i < end) this.close = true
    return READ_DONE
  }

  private startChunkSize(): void {
    this.phase = Phase.ChunkSize
    this.left = 0
    this.sawDigit = false
    this.inExt = false
  }

  /** Whether the body is already complete (none, or Content-Length 0). */
  private bodyDone(): boolean {
    return this.phase === Phase.Length && this.left === 0
  }

  /**
   * Find and read the head in buf[i, end) (after any part kept from earlier reads). Returns the
   * index just past it, -1 while incomplete (the part is kept), -2 when it is not a response.
   */
  private takeHead(buf: Buffer, i: number, end: number): number {
    let b = buf
    let from = i
    let to = end
    if (this.head !== null) {
      b = Buffer.concat([this.head, buf.subarray(i, end)])
      from = 0
      to = b.length
    }
    const at = b.indexOf('\r\n\r\n', from, 'latin1')
    if (at < 0 || at + 4 > to) {
      if (to - from > MAX_HEAD_BYTES) return -2
      this.head = this.head === null ? Buffer.from(buf.subarray(i, end)) : b
      return -1
    }
    const kept = this.head === null ? 0 : this.head.length
    this.head = null
    if (!this.parseHead(b, from, at)) return -2
    // Index in `buf` just past the head: its end in `b`, less the bytes that came from earlier reads.
    return i + (at + 4 - from - kept)
  }

  /** Read the head b[from, at); false when it is not an HTTP/1.x response. */
  private parseHead(b: Buffer, from: number, at: number): boolean {
    // "HTTP/1.x NNN"
    if (at - from < 12 || b[from] !== 72 || b[from + 4] !== 47 || b[from + 5] !== 49 || b[from + 6] !== 46) return false
    const http10 = b[from + 7] === 48
    const status = ((b[from + 9] as number) - 48) * 100 + ((b[from + 10] as number) - 48) * 10 + ((b[from + 11] as number) - 48)
    if (!(status >= 100 && status < 600)) return false
    let length = -1
    let chunked = false
    let close = http10
    let pos = b.indexOf(LF, from) + 1
    while (pos > 0 && pos < at) {
      let eol = b.indexOf(LF, pos)
      if (eol < 0 || eol > at) eol = at
      const lineEnd = b[eol - 1] === CR ? eol - 1 : eol
      const colon = b.indexOf(58, pos)
      if (colon > pos && colon < lineEnd) {
        const n = colon - pos
        if (nameIs(b, pos, n, 'content-length')) {
          let v = 0
          let digits = 0
          for (let k = colon + 1; k < lineEnd; k++) {
            const c = b[k] as number
            if (c >= 48 && c <= 57) {
              v = v * 10 + c - 48
              digits++
            } else if (c !== 32 && c !== 9) return false
          }
          if (digits === 0) return false
          length = v
        } else if (nameIs(b, pos, n, 'transfer-encoding')) chunked = hasToken(b, colon + 1, lineEnd, 'chunked')
        else if (nameIs(b, pos, n, 'connection')) {
          if (hasToken(b, colon + 1, lineEnd, 'close')) close = true
          else if (http10 && hasToken(b, colon + 1, lineEnd, 'keep-alive')) close = false
        }
      }
      pos = eol + 1
    }
    if (status < 200) return true // 1xx: stay in Phase.Head for the final response
    this.status = status
    this.close = close
    if (status === 204 || status === 304) {
      this.phase = Phase.Length
      this.left = 0
    } else if (chunked) this.startChunkSize()
    else if (length >= 0) {
      this.phase = Phase.Length
      this.left = length
    } else {
      this.phase = Phase.UntilClose
      this.close = true
    }
    return true
  }
}
