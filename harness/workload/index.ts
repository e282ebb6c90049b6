export { startWorkload, type WorkloadOptions, type WorkloadRun } from './workload.js'
export {
  openProducerSession,
  sendRecords,
  ProducerSession,
  type ProducerSessionOptions,
  type RecordSpec,
  type SendOptions,
  type Progress,
} from './session.js'
export type { SendSettings } from './producer.js'
export { classifySendError, REJECTED_BEFORE_APPEND, type SendClassification } from './classify.js'
export {
  mergeLedgers,
  type Ledger,
  type LedgerEntry,
  type LedgerEvent,
  type LedgerEventType,
  type Outcome,
  type ErrorSummary,
  type SendErrorInfo,
} from './ledger.js'
export {
  readTopic,
  ReaderTimeoutError,
  type ReadOptions,
  type TopicLog,
  type LogRecord,
  type PartitionBounds,
} from './reader.js'
export { ID_HEADER, idFromValue, recordValue, keyNames, type KeySpace } from './record.js'
