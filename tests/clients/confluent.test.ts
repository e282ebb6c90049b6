import { proveAdapter } from './prove-adapter.js'

proveAdapter('confluent', {
  refuses: [
  [{ retryBackoff: { jitter: 0.5 } }, 'producer.retryBackoff.jitter'],
  [{ acks: 1, idempotent: true }, 'producer.acks'],
],
})
