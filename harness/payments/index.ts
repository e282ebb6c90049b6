export { Billing, PAYMENTS_PARTITIONS, PaymentService, partitionOf, payment, paymentRecord, type Payment } from './payments.js'
export { PaymentServiceProcess } from './process.js'
export { Timeline } from './timeline.js'
