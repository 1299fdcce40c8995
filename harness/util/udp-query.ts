/**
 * The datagrams of a UDP Service's load: a query is an 8-byte id and padding; an answer is the
 * same id, the answering pod's name (one length byte, then UTF-8) and padding up to the pod's
 * response size. The built-in pods answer it; a command pod need only echo the first 8 bytes.
 */

/** Bytes of a query's id (at its start, echoed at the start of the answer). */
export const UDP_ID_BYTES = 8

/** A query of `bytes` bytes (at least the id) carrying `id` (an integer below 2^53). */
export function encodeQuery(id: number, bytes: number): Buffer {
  const b = Buffer.alloc(Math.max(UDP_ID_BYTES, bytes))
  b.writeUInt32BE(Math.floor(id / 2 ** 32), 0)
  b.writeUInt32BE(id >>> 0, 4)
  return b
}

/** The id a query or an answer starts with; -1 when it is too short. */
export function datagramId(b: Uint8Array): number {
  if (b.length < UDP_ID_BYTES) return -1
  const v = Buffer.from(b.buffer, b.byteOffset, b.length)
  return v.readUInt32BE(0) * 2 ** 32 + v.readUInt32BE(4)
}

/** An answer to `query`: its id, the pod's name, padding up to `bytes` in all. */
export function encodeAnswer(query: Uint8Array, pod: string, bytes: number): Buffer {
  const name = Buffer.from(pod, 'utf8').subarray(0, 255)
  const b = Buffer.alloc(Math.max(UDP_ID_BYTES + 1 + name.length, bytes))
  b.set(query.subarray(0, UDP_ID_BYTES), 0)
  b[UDP_ID_BYTES] = name.length
  name.copy(b, UDP_ID_BYTES + 1)
  return b
}

/** The pod an answer names; '' when it names none (a command pod that only echoes the id). */
export function answerPod(b: Uint8Array): string {
  if (b.length <= UDP_ID_BYTES) return ''
  const n = b[UDP_ID_BYTES] as number
  if (b.length < UDP_ID_BYTES + 1 + n) return ''
  return Buffer.from(b.buffer, b.byteOffset + UDP_ID_BYTES + 1, n).toString('utf8')
}
