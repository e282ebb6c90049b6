import { inject } from 'vitest'
import { partitionsOf } from '../../harness/cluster/index.js'

/**
 * Whether this run's cluster has partitions (native, as root: harness/cluster/partition.ts). A
 * file of tests/partitions is skipped, saying why, on containers, and natively when they are not
 * available, unless KD_REQUIRE_PARTITIONS=1 (CI), which makes it fail there instead.
 */
const descriptor = inject('cluster')
const support = partitionsOf(descriptor)
export const skipPartitions = !support.available && (descriptor.provider !== 'native' || process.env.KD_REQUIRE_PARTITIONS !== '1')
export const partitionsNote = support.available ? '' : ` (no partitions: ${support.reason}; fix: ${support.fix})`
