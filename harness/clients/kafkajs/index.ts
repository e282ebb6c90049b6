/**
 * The kafkajs adapter (kafkajs 2.2.4): the only place outside the harness's own admin, readers
 * and consumers where kafkajs is imported. Everything the harness knows about kafkajs as a
 * producer lives in this folder: how a profile maps onto its options and what it refuses
 * (options.ts), how its errors are classified (classify.ts), its production retry defaults, the
 * claims its behaviour rules out (contradictions.ts), and the watched producer (producer.ts).
 */
import type { Kafka } from 'kafkajs'
import type { ClientEndpoint } from '../endpoint.js'
import { acksOf, checkProfile, producerFields, type ProducerProfile } from '../profile.js'
import type { ClientAdapter, ClientSpec, ProducerClient } from '../types.js'
import { contradictions } from './contradictions.js'
import { kafkaAt } from './connection.js'
import { kafkajsOptions, production, productionRetry, validateForKafkajs } from './options.js'
import { KafkajsProducer } from './producer.js'

/**
 * The kafkajs adapter whose producers connect through `kafkaFor(endpoint, onLog)`: by default a
 * kafkajs client of their own at the endpoint; a test hands in a stand-in.
 */
export function kafkajsAdapter(kafkaFor: (endpoint: ClientEndpoint, onLog: Parameters<typeof kafkaAt>[1]) => Kafka = kafkaAt): ClientAdapter {
  const adapter: ClientAdapter = {
    name: 'kafkajs',
    validate(profile, name = producerFields) {
      checkProfile(profile, name)
      validateForKafkajs(profile, name)
    },
    production,
    productionRetry,
    contradictions,
    timeline: { numberedAttempts: true, connectionTrouble: true },
    describe(profile: ProducerProfile) {
      const { producer, send } = kafkajsOptions(profile)
      return { producer: { ...producer, partitioner: profile.partitioner ?? 'default' }, send: { ...send, acks: acksOf(profile) } }
    },
    create(spec: ClientSpec): ProducerClient {
      adapter.validate(spec.profile)
      let producer: KafkajsProducer | undefined
      const kafka = kafkaFor(spec.endpoint, (entry) => producer?.log(entry))
      producer = new KafkajsProducer({ kafka, topic: spec.topic, profile: spec.profile, onEvent: spec.onEvent })
      return producer
    },
  }
  return adapter
}

export const kafkajs: ClientAdapter = kafkajsAdapter()

export { classifySendError, errorClassOf, REJECTED_BEFORE_APPEND, summarize, type SendClassification } from './classify.js'
export { KAFKAJS_PRODUCTION_RETRY, kafkajsOptions, type KafkajsOptions } from './options.js'
export { placeAcks, type AckPlacement } from './producer.js'
