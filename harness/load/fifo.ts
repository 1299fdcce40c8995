/** A first-in first-out queue on an array with a moving head: O(1) push and shift, compacted now and then. */

/** Head index past which the spent part of the array is cut off (when it is most of the array). */
const COMPACT_AT = 4096

/** A FIFO queue. */
export class Fifo<T> {
  private items: (T | undefined)[] = []
  private head = 0

  /** Items queued. */
  get size(): number {
    return this.items.length - this.head
  }

  push(x: T): void {
    this.items.push(x)
  }

  /** The first item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined
  }

  /** The first item, taken out; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const x = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head >= COMPACT_AT && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    } else if (this.head === this.items.length) {
      this.items.length = 0
      this.head = 0
    }
    return x
  }
}
