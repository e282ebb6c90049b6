export { clients, adapterFor, CLIENT_NAMES, DEFAULT_CLIENT, type ClientName } from './registry.js'
export { clientEndpoint, FAULT_TOLERANT_REQUEST_TIMEOUT_MS, type ClientEndpoint, type EndpointOptions } from './endpoint.js'
export {
  acksOf,
  checkProfile,
  parseAcks,
  parseProfile,
  producerFields,
  type Acks,
  type Compression,
  type FieldNamer,
  type Partitioner,
  type ProducerProfile,
  type ProfileField,
  type RetryBackoff,
  type RetrySettings,
} from './profile.js'
export {
  CLAIMS,
  type Claim,
  type ClientAdapter,
  type ClientSpec,
  type Contradiction,
  type EventSink,
  type OutgoingRecord,
  type ProducerClient,
  type ProducerIdentity,
  type SendCallOptions,
} from './types.js'
