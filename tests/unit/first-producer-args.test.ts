import { describe, expect, test } from 'vitest'
import { DEFAULT_BOOTSTRAP, DEFAULT_TOPIC, parseArgs } from '../../examples/first-producer.js'

describe("the lecture's first producer's command line (examples/first-producer.ts)", () => {
  test('the bootstrap comes from --bootstrap, else KAFKA_BOOTSTRAP, else the lecture\'s three localhost ports', () => {
    expect(parseArgs(['--bootstrap', 'a:1,b:2'], { KAFKA_BOOTSTRAP: 'env:9' })).toEqual({ bootstrap: ['a:1', 'b:2'], topic: DEFAULT_TOPIC })
    expect(parseArgs(['--bootstrap=a:1', '--topic', 't'], {})).toEqual({ bootstrap: ['a:1'], topic: 't' })
    expect(parseArgs([], { KAFKA_BOOTSTRAP: 'env:9, env:10' })).toEqual({ bootstrap: ['env:9', 'env:10'], topic: DEFAULT_TOPIC })
    expect(parseArgs([], {})).toEqual({ bootstrap: ['localhost:19092', 'localhost:19093', 'localhost:19094'], topic: 'brew.orders.v1' })
    expect(DEFAULT_BOOTSTRAP).toEqual(['localhost:19092', 'localhost:19093', 'localhost:19094'])
    expect(() => parseArgs(['--bootstrap'], {})).toThrow('--bootstrap needs a value')
  })
})
