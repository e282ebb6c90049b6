import { afterAll, inject } from 'vitest'
import { partitionsOf } from '../../harness/cluster/index.js'
import { acksProfile, once, runStory, type Outcome, type Profile, type Story } from '../../harness/engines/index.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * Whether this run's cluster has partitions (native, as root: harness/cluster/partition.ts). A
 * file of tests/partitions is skipped, saying why, on containers, and natively when they are not
 * available, unless KD_REQUIRE_PARTITIONS=1 (CI), which makes it fail there instead.
 */
const descriptor = inject('cluster')
const support = partitionsOf(descriptor)
export const skipPartitions = !support.available && (descriptor.provider !== 'native' || process.env.KD_REQUIRE_PARTITIONS !== '1')
export const partitionsNote = support.available ? '' : ` (no partitions: ${support.reason}; fix: ${support.fix})`

/**
 * The stories of a file of this folder: each run once on the shared cluster (lanes acks=all and
 * acks=1 unless given), their rows printed under `title` and saved after the file. Call it inside
 * the file's describe.
 */
export function partitionStories(name: string, title: string) {
  const results = new ResultsCollector(name)
  afterAll(() => {
    results.print(title)
    results.save()
  })
  return <O extends Outcome>(suite: string, story: Story<O>, profiles: readonly Profile[] = [acksProfile(-1), acksProfile(1)]) =>
    once(() => runStory(cluster(), { suite, results }, story, profiles))
}
