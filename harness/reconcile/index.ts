/**
 * The reconciler: `reconcile(ledger, log)` → Verdict. What every anomaly class means is defined
 * in ./definitions.ts (exported as DEFINITIONS); that text is part of the product.
 */
export { reconcile } from './reconcile.js'
export { reconcilerMemory } from './arena.js'
export { describeVerdict, describeEvidence } from './describe.js'
export { DEFINITIONS, VIOLATIONS, type AnomalyName, type ViolationName } from './definitions.js'
export type {
  Verdict,
  Anomalies,
  AnomalyClass,
  ReconcileOptions,
  LedgerLike,
  LedgerEntryLike,
  LogLike,
  LogRecordLike,
  Position,
  SendRef,
  StoredRef,
  LostEvidence,
  DuplicateEvidence,
  OverwrittenEvidence,
  ReorderEvidence,
  SendOrderEvidence,
  SendOrderRef,
  KeySplitEvidence,
  WrittenEvidence,
  PhantomEvidence,
} from './types.js'
