export { startWorkload, type WorkloadOptions, type WorkloadRun } from './workload.js'
export {
  openProducerSession,
  sendRecords,
  ProducerSession,
  type ProducerSessionOptions,
  type RecordSpec,
  type SendOptions,
  type Progress,
  type PreparedRecord,
} from './session.js'
export {
  mergeLedgers,
  summarize,
  type Ledger,
  type LedgerEntry,
  type LedgerEvent,
  type LedgerEventType,
  type Outcome,
  type ErrorClass,
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
