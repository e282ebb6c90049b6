import { closeSync, openSync, readSync, statSync } from 'node:fs'

/**
 * Watches a log file from now on: the returned function gives what has been appended since this
 * call ('' if nothing, or if the file does not exist yet).
 */
export function logGrowth(file: string): () => string {
  const from = sizeOf(file)
  return () => {
    const size = sizeOf(file)
    if (size <= from) return ''
    const buf = Buffer.alloc(size - from)
    const fd = openSync(file, 'r')
    try {
      readSync(fd, buf, 0, buf.length, from)
    } finally {
      closeSync(fd)
    }
    return buf.toString('utf8')
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}
