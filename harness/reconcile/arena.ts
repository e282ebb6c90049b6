/**
 * The memory of the reconciler's columns, kept from one reconcile to the next.
 *
 * A reconcile of n ledger entries and m log records needs about a dozen columns of n or m numbers.
 * Fresh each call, they cost more than the passes that fill them:
 * - as plain arrays (8 bytes a number), allocating and scavenging ~100 MB per million records is
 *   a fifth of a reconcile;
 * - as fresh typed arrays, V8 answers every ~64 MB of new ArrayBuffers with a full collection of
 *   the whole heap, which holds the inputs: seconds at 5M records.
 * So the columns are typed arrays cut from buffers this arena keeps, grown to the largest
 * reconcile so far (about 56 bytes per ledger entry plus 16 per log record: 72 MB after a run of
 * 1M, 360 MB after 5M) and handed out again to the next one. Only the first reconcile of a size
 * allocates.
 *
 * The columns of one reconcile are valid until the next begins: reconcile() is synchronous and
 * keeps none of them in its verdict.
 */

/** Growth factor when a slot must grow, so that slowly growing runs do not reallocate each time. */
const GROWTH = 1.25

export class Arena {
  private readonly int32s: Int32Array[] = []
  private readonly float64s: Float64Array[] = []
  private nextInt32 = 0
  private nextFloat64 = 0

  /** Starts a reconcile: every column handed out before may now be handed out again. */
  begin(): void {
    this.nextInt32 = 0
    this.nextFloat64 = 0
  }

  /** A column of n int32s, its contents undefined: the caller writes every element it reads. */
  int32(n: number): Int32Array {
    return take(this.int32s, this.nextInt32++, n, (length) => new Int32Array(length))
  }

  /** A column of n int32s, all 0. */
  zeroedInt32(n: number): Int32Array {
    return this.int32(n).fill(0)
  }

  /** A column of n float64s, its contents undefined: the caller writes every element it reads. */
  float64(n: number): Float64Array {
    return take(this.float64s, this.nextFloat64++, n, (length) => new Float64Array(length))
  }

  /** Bytes held. */
  get bytes(): number {
    let total = 0
    for (const b of this.int32s) total += b.byteLength
    for (const b of this.float64s) total += b.byteLength
    return total
  }
}

/** The first n elements of the buffer in `slot` of `buffers`, which grows (make) if it is shorter. */
function take<T extends Int32Array | Float64Array>(buffers: T[], slot: number, n: number, make: (length: number) => T): T {
  let buffer = buffers[slot]
  if (buffer === undefined || buffer.length < n) {
    buffer = make(buffer === undefined ? n : Math.max(n, Math.ceil(buffer.length * GROWTH)))
    buffers[slot] = buffer
  }
  return buffer.subarray(0, n) as T
}

/** The arena every reconcile of this process uses (one at a time: reconcile() is synchronous). */
export const columns = new Arena()

/** The bytes the reconciler keeps between calls. */
export function reconcilerMemory(): number {
  return columns.bytes
}
