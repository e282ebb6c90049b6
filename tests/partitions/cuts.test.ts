import { describe, expect, test } from 'vitest'
import { PartitionInForceError } from '../../harness/cluster/index.js'
import { bridge, isolateFully, oneWayCut, partition, withFault, type PartitionFault } from '../../harness/faults/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { partitionsNote, skipPartitions } from './support.js'
import { cutPairs } from './reach.js'

/**
 * Each partition fault cuts exactly the node pairs it names, in the directions it names, and
 * nothing else: observed with probes in the nodes' cgroups (reach.ts) while it is in force, and
 * after its heal. Clients reach every node throughout. Skipped off native or without root, as
 * partitions.test.ts is.
 */

const FAULTS: Array<{ name: string; fault: () => PartitionFault; cut: string[] }> = [
  { name: 'partition([[1], [2, 3]])', fault: () => partition([[1], [2, 3]]), cut: ['1→2', '1→3', '2→1', '3→1'] },
  { name: 'isolateFully(2)', fault: () => isolateFully(2), cut: ['1→2', '2→1', '2→3', '3→2'] },
  { name: 'oneWayCut(1, 3)', fault: () => oneWayCut(1, 3), cut: ['1→3'] },
  { name: 'bridge([1], [2], 3)', fault: () => bridge([1], [2], 3), cut: ['1→2', '2→1'] },
]

describe.skipIf(skipPartitions)(`partition faults cut exactly the pairs they name${partitionsNote}`, () => {
  test.each(FAULTS)('$name: cuts $cut, clients reach every node, and the heal restores every path', async ({ fault, cut }) => {
    const c = cluster()
    const f = fault()
    const during = await withFault(c, f, async () => {
      await expect(withFault(c, isolateFully(3), async () => undefined)).rejects.toThrow(PartitionInForceError)
      return cutPairs(c)
    })
    expect({ fault: f.describe(), ...during }).toEqual({ fault: f.describe(), cut, clientsCannotReach: [] })
    expect(await cutPairs(c)).toEqual({ cut: [], clientsCannotReach: [] })
  })
})
