export { Billing, copiesInLog, PAYMENTS_PARTITIONS, PaymentService, partitionOf, payment, paymentRecord, settleBillings, startBillings, type Payment } from './payments.js'
export { PaymentServiceProcess } from './process.js'
export { Timeline } from './timeline.js'
