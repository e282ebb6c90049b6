import { proveAdapter } from './prove-adapter.js'

proveAdapter('franz-go', {
  refuses: [
  // franz-go's idempotent producer takes acks all only, and ignores any in-flight limit (5).
  [{ acks: 1, idempotent: true }, 'producer.idempotent'],
  [{ requestsInFlight: 1 }, 'producer.requestsInFlight'],
],
})
