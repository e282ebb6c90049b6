import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../harness/errors.js'
import { bridge, partition } from '../../harness/faults/index.js'
import { parseQuorumLine } from '../partitions/quorum.js'

describe('partition faults and the quorum log', () => {
  test('a partition or a bridge without two sides, each naming a node, is refused when built', () => {
    expect(() => partition([[1]])).toThrow(ConfigError)
    expect(() => partition([[1], []])).toThrow(/at least 2 sides, each naming a node/)
    expect(() => bridge([], [2], 3)).toThrow(ConfigError)
  })

  test("the brokers' log lines that tell what the quorum did are read as events (Kafka 4.4's wording)", () => {
    const lines = [
      '[2026-11-30 19:57:36,292] INFO [RaftManager id=2] Completed transition to Leader(localVoterNode=VoterNode(voterKey=ReplicaKey(id=2, directoryId=x)), epoch=2, epochStartOffset=35, highWatermark=Optional.empty) from CandidateState(localId=2, epoch=2) (org.apache.kafka.raft.QuorumState)',
      '[2026-11-30 19:57:40,894] INFO [RaftManager id=1] Completed transition to FollowerState(fetchTimeoutMs=1000, epoch=2, leader=2, leaderEndpoints=Endpoints(endpoints={}), votedKey=Optional.empty) from ProspectiveState(epoch=2) (org.apache.kafka.raft.QuorumState)',
      '[2026-11-30 19:57:38,446] INFO [QuorumController id=2] Fencing broker 1 at epoch 17 because its session has timed out. (org.apache.kafka.controller.ReplicationControlManager)',
      '[2026-11-30 19:57:41,002] INFO [QuorumController id=2] Replayed BrokerRegistrationChangeRecord modifying the registration for broker 1: BrokerRegistrationChangeRecord(brokerId=1, brokerEpoch=17, fenced=-1, inControlledShutdown=0, logDirs=[]) (org.apache.kafka.controller.ClusterControlManager)',
      '[2026-11-30 19:57:41,551] INFO [RaftManager id=1] Truncated to offset 35 from Fetch response from leader 2 (org.apache.kafka.raft.KafkaRaftClient)',
      '[2026-11-30 19:57:41,881] INFO [ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Truncating partition partitions-x-0 with TruncationState(offset=12, completed=true) due to leader epoch and offset EpochEndOffset(errorCode=0) (kafka.server.ReplicaFetcherThread)',
      '[2026-11-30 19:57:35,393] INFO [ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Truncating partition partitions-x-0 with TruncationState(offset=0, completed=true) due to local high watermark 0 (kafka.server.ReplicaFetcherThread)',
    ]
    const events = lines.map((l) => parseQuorumLine(l, ['partitions-']))
    expect(events.map((e) => e && { ...e, at: new Date(e.at).toTimeString().slice(0, 8) })).toEqual([
      { at: '19:57:36', node: 2, kind: 'leader', epoch: 2 },
      { at: '19:57:40', node: 1, kind: 'follower', epoch: 2, leader: 2 },
      { at: '19:57:38', node: 2, kind: 'fencing', broker: 1 },
      { at: '19:57:41', node: 2, kind: 'unfenced', broker: 1 },
      { at: '19:57:41', node: 1, kind: 'metadata truncated', offset: 35 },
      { at: '19:57:41', node: 1, kind: 'log truncated', partition: 'partitions-x-0', offset: 12 },
      undefined,
    ])
  })
})
