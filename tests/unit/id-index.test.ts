import { describe, expect, it } from 'vitest'
import { IdIndex } from '../../harness/reconcile/id-index.js'

function index(ids: string[]): IdIndex {
  const idx = new IdIndex((x) => ids[x]!, ids.length)
  ids.forEach((id, x) => idx.add(x, id))
  return idx.seal()
}

describe('IdIndex', () => {
  const ids = ['run-0', 'run-1', 'run-7', 'custom', 'run-007', 'a-b-3', 'far-1000000', 'run-x', 'other-2', '-4', 'run-']
  const idx = index(ids)

  it('finds every id it holds, whatever its form', () => {
    ids.forEach((id, x) => expect(idx.get(id), id).toBe(x))
  })

  it('finds nothing for ids it does not hold, however alike', () => {
    for (const id of ['run-2', 'run-07', 'run-01', 'run-8', 'run-70', 'Run-1', 'run-1 ', 'a-b-03', 'a-3', 'far-1000001', 'other-3', 'run--1', '']) {
      expect(idx.get(id), id).toBe(-1)
    }
  })

  it('rejects an id given twice, whichever way it is indexed', () => {
    for (const dup of ['run-1', 'custom', 'run-007', 'far-1000000', 'a-b-3']) {
      expect(() => index([...ids, dup]), dup).toThrow(`ledger id ${dup} appears more than once`)
    }
  })

  it('indexes many prefixes, falling back past the eighth', () => {
    const many = Array.from({ length: 12 }, (_, p) => Array.from({ length: 3 }, (_, n) => `p${p}-${n}`)).flat()
    const idxMany = index(many)
    many.forEach((id, x) => expect(idxMany.get(id)).toBe(x))
    expect(idxMany.get('p11-3')).toBe(-1)
  })
})
