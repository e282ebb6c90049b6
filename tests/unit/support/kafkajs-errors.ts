/**
 * Errors exactly as kafkajs 2.2.4 builds and throws them: protocol errors from its own error-code
 * table, and whatever its own retrier makes of an error after retries run out.
 */
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'

const require = createRequire(import.meta.url)

const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error }
const createRetry = require('kafkajs/src/retry') as (
  opts: Record<string, number>,
) => (fn: (bail: (e: Error) => void, retryCount: number) => Promise<unknown>) => Promise<unknown>

export const {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSRequestTimeoutError,
} = kafkajs

/** Exported by kafkajs at runtime, missing from its type declarations. */
export const { KafkaJSConnectionClosedError } = kafkajs as unknown as {
  KafkaJSConnectionClosedError: new (message: string, where: { host: string; port: number }) => Error
}

/** kafkajs' declarations give KafkaJSMetadataNotLoaded no parameters; at runtime it needs a message. */
export function metadataNotLoaded(): Error {
  const { KafkaJSMetadataNotLoaded } = kafkajs as unknown as { KafkaJSMetadataNotLoaded: new (message: string) => Error }
  return new KafkaJSMetadataNotLoaded('Producing to topic without metadata')
}

/** The KafkaJSProtocolError kafkajs raises for a broker error code. */
export function protocolError(code: number): Error {
  return createErrorFromCode(code)
}

/**
 * What kafkajs' retrier rejects with when every attempt throws `last` (or `first` on the first
 * attempt): KafkaJSNumberOfRetriesExceeded for retriable errors, KafkaJSNonRetriableError otherwise.
 */
export async function afterRetries(last: Error, retries = 2, first: Error = last): Promise<unknown> {
  const retrier = createRetry({ retries, initialRetryTime: 1, maxRetryTime: 2, factor: 0, multiplier: 1 })
  try {
    await retrier(async (_bail, retryCount) => {
      throw retryCount === 0 ? first : last
    })
  } catch (e) {
    return e
  }
  throw new Error('the retrier did not reject')
}

/** What kafkajs' retrier rejects with when the attempt calls `bail(e)` (non-retriable in sendMessages). */
export async function bailed(e: Error): Promise<unknown> {
  const retrier = createRetry({ retries: 5, initialRetryTime: 1 })
  try {
    await retrier(async (bail) => bail(e))
  } catch (err) {
    return err
  }
  throw new Error('the retrier did not reject')
}
