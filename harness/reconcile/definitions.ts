/**
 * THE DEFINITIONS. What each anomaly class means, exactly; the reconciler implements these and
 * nothing else, and the tests hold it to them.
 *
 * Terms
 * - Ledger entry: one record the producer sent: id, key, send interval [start, end] (the send
 *   call's start and settlement), outcome `ok` / `failed` / `unknown`, and for `ok` the
 *   acknowledged position (partition p, offset o); o may be null if the ack carried no offset.
 *   Ids are unique in the ledger.
 * - Log: the records read back, each at a distinct position (partition, offset), with an id
 *   (null if it has none), plus each partition's bounds [low, high) when the read began (low:
 *   log start offset, high: high watermark). Partitions without bounds have low = 0.
 * - occurrences(id): the log positions holding a record with that id. An id is *present* if it
 *   has at least one occurrence, *absent* otherwise.
 * - send order: the order of the entries in `ledger.entries`. A workload ledger lists them by
 *   `n`, the order records were handed to send(): within one key that is `seq` order, and the
 *   records of calls in flight together are ordered by when send() was called for them (a
 *   session numbers a call's records and starts the call in one synchronous step, so `start`
 *   never decreases along `n`). `mergeLedgers` orders the entries of several producers by send
 *   start, keeping each ledger's own order on ties, so each producer's send order is kept;
 *   records of one key from different producers are then ordered by when send() was called,
 *   which no producer promises to keep.
 * - read position of an id in partition p: the lowest offset among its occurrences in p (a
 *   consumer meets that copy first; later copies are duplicates).
 *
 * Violations (any non-zero count makes the verdict not ok)
 * - lost: entries acknowledged (`ok`) whose id is absent.
 *   count = number of such entries.
 * - duplicated: ledger ids with two or more occurrences, whatever their outcome.
 *   count = extra copies, Σ(|occurrences| − 1); `ids` = number of such ids.
 * - overwritten: entries acknowledged at a known (p, o) with o ≥ low(p) whose position (p, o)
 *   does not hold their id: it holds another record (`reused`) or nothing (`vacant`: a gap, or
 *   at/after the high watermark). This is the trace of a truncated leader: the offset the
 *   producer was given was later cut off, and possibly handed to someone else.
 *   count = number of such entries; `alsoLost` = those whose id is absent, `moved` = those whose
 *   id is present elsewhere (alsoLost + moved = count = reused + vacant).
 *   Relation to lost: the two overlap on purpose. lost asks "is the data there?", overwritten
 *   asks "is the acknowledged position truthful?". A lost entry is also overwritten unless its
 *   offset is unknown or below its partition's log start (deleted by retention: not observable),
 *   and an overwritten entry is lost unless it moved. Counts are not to be added up.
 * - reordered: pairs (a, b) of entries with the same key such that a is `ok`, a was acknowledged
 *   before b's send began (a.end < b.start), both are present in the same partition p, and b's
 *   read position in p is lower than a's. b may have any outcome.
 *   count = number of such pairs (a pair whose records share several partitions, through
 *   duplicates, counts once per shared partition). Records of one key in different partitions
 *   are never compared (see keySplit); nor are records of one send call (same interval), nor
 *   concurrent sends (overlapping intervals). outOfSendOrder compares those too.
 * - outOfSendOrder: pairs (a, b) of entries with the same key such that a comes before b in the
 *   send order, both are present in the same partition p, and b's read position in p is lower
 *   than a's. a and b may have any outcome (a failed or unknown record that is present counts:
 *   the log is what consumers see). This is the producer's per-key contract as the application
 *   sees it: records of one key appear in the order send() was called for them, including calls
 *   in flight together (what the Java producer promises with idempotence on).
 *   count = number of such pairs (once per shared partition, as for reordered). Records of one
 *   key in different partitions are never compared (see keySplit).
 *   Relation to reordered: reordered is the real-time order (what any reader may rely on across
 *   producers), outOfSendOrder the order the application asked for. In a ledger in send-start
 *   order (every workload ledger, and merged ones) a.end < b.start puts a before b, so every
 *   reordered pair is also out of send order; outOfSendOrder adds the pairs of calls in flight
 *   together and those whose earlier record was not acknowledged. Counts are not to be added up.
 * - phantom: log records whose id is null or not in the ledger (never sent by this producer).
 *   count = number of such log records (every copy counts).
 *
 * Reported, not violations
 * - keySplit: keys whose present ledger entries sit in more than one partition (e.g. after the
 *   partition count changed). count = number of such keys. Ordering across partitions is not
 *   defined, so such records are not compared for reordering.
 * - failedButWritten: entries with outcome `failed` whose id is present (the producer was told
 *   no, but the record is there: a definite rejection of the last attempt after an earlier
 *   attempt that timed out, for instance). count = entries.
 * - unknownWritten / unknownAbsent: entries with outcome `unknown`, present / absent.
 *
 * Evidence: each class carries up to `evidenceLimit` (default 20) examples, always the first
 * ones in a fixed order; counts are always exact. Orders: lost and overwritten by acknowledged
 * (partition, offset); duplicated, failedButWritten and unknownWritten by the id's first log
 * position; unknownAbsent by send start; phantom by log position; reordered and outOfSendOrder
 * by (partition, offset of the overtaken record, offset of the overtaking one), one example per
 * overtaken record (the earlier one, read later), paired with the latest-sent record read before
 * it; keySplit by key. Ties are broken by id.
 */
export const DEFINITIONS = {
  lost: 'acknowledged, absent from the log',
  duplicated: 'one id at more than one log position (count: extra copies)',
  overwritten: 'acknowledged position now holds another record or nothing',
  reordered: 'same key, same partition: a acknowledged before b was sent, b read before a (count: pairs)',
  outOfSendOrder: 'same key, same partition: a sent before b (ledger order), b read before a (count: pairs)',
  phantom: 'in the log, never sent (id unknown to the ledger, or no id)',
  keySplit: 'key present in more than one partition (not a violation)',
  failedButWritten: 'send failed, record in the log (not a violation)',
  unknownWritten: 'outcome unknown, record in the log (not a violation)',
  unknownAbsent: 'outcome unknown, record not in the log (not a violation)',
} as const

export type AnomalyName = keyof typeof DEFINITIONS

/** The classes that make a verdict not ok. */
export const VIOLATIONS = ['lost', 'duplicated', 'overwritten', 'reordered', 'outOfSendOrder', 'phantom'] as const
export type ViolationName = (typeof VIOLATIONS)[number]
