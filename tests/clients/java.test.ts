import { proveAdapter } from './prove-adapter.js'

proveAdapter('java', {
  refuses: [
  [{ retryBackoff: { multiplier: 3 } }, 'producer.retryBackoff.multiplier'],
  [{ acks: 1, idempotent: true }, 'producer.acks'],
  [{ idempotent: true, requestsInFlight: 6 }, 'producer.requestsInFlight'],
],
})
