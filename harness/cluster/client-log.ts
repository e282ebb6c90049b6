import { appendFileSync } from 'node:fs'
import { logLevel, type logCreator } from 'kafkajs'

/**
 * A kafkajs logCreator that appends the client's own log lines (WARN and up by default) to a file
 * in the run folder instead of the test output: during faults kafkajs logs every retry.
 */
export function fileLogCreator(file: string, name: string): logCreator {
  return () =>
    ({ namespace, level, label, log }) => {
      const { message, timestamp, ...extra } = log
      try {
        appendFileSync(file, `${timestamp} ${label} [${name}/${namespace}] ${message} ${JSON.stringify(extra)}\n`)
      } catch {
        // The run folder is gone (the run ended and removed it) while a client still logs a
        // socket closing: the line has nowhere to go, and must not crash its process.
      }
    }
}

export const CLIENT_LOG_LEVEL = process.env.KAFKAJS_LOG_LEVEL === 'debug' ? logLevel.DEBUG : logLevel.WARN
