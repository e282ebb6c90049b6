/**
 * An independent reference for the Java client's key → partition rule, written from Kafka's
 * published algorithm (org.apache.kafka.common.utils.Utils.murmur2 and Utils.toPositive, used by
 * BuiltInPartitioner.partitionForKey), not from kafkajs's code:
 *
 *   partition = toPositive(murmur2(keyBytes)) % numPartitions,  toPositive(h) = h & 0x7fffffff
 *
 * Java works on 32-bit ints that wrap; here every product is Math.imul (32-bit wrapping multiply)
 * and every value is kept as a signed 32-bit int, so the result equals Java's `int`.
 * A string key is hashed as its UTF-8 bytes (Java's StringSerializer default).
 */

import { HarnessError } from '../errors.js'

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** Kafka's murmur2 of `data`, as the signed 32-bit int Java returns. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = SEED ^ length
  const blocks = length >>> 2
  for (let i = 0; i < blocks; i++) {
    const at = i * 4
    let k = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M)
    h ^= k
  }
  const tail = blocks * 4
  // Java's switch falls through from case 3 to case 1.
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2]! << 16
  if (rest >= 2) h ^= data[tail + 1]! << 8
  if (rest >= 1) {
    h ^= data[tail]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Utils.toPositive: clears the sign bit (not Math.abs: toPositive(MIN_VALUE) is 0). */
export function toPositive(h: number): number {
  return h & 0x7fffffff
}

/** The bytes a key is hashed as: a Buffer as is, a string as UTF-8. */
export function keyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key
}

/** The partition the Java client's default partitioner picks for a keyed record. */
export function partitionForKey(key: string | Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new HarnessError(`partitionForKey: numPartitions must be a positive integer (a topic's partition count), got ${numPartitions}`)
  return toPositive(murmur2(keyBytes(key))) % numPartitions
}
