import { synthesize } from './reconcile.js'
import { reconcile } from '../harness/reconcile/index.js'
const shape = (process.env.SHAPE ?? 'workload') as any
const d = synthesize(1_000_000, shape)
for (let r = 0; r < 6; r++) {
  const t = performance.now()
  reconcile(d.ledger, d.log)
  console.log(shape, r, ((performance.now() - t)).toFixed(0), 'ms')
}
