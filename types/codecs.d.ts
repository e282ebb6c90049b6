// Minimal declarations for the kafkajs compression codec plugins used by the throughput bench:
// each provides a codec factory, the shape kafkajs's CompressionCodecs table holds.
declare module 'kafkajs-snappy' {
  const SnappyCodec: () => unknown
  export default SnappyCodec
}
declare module 'kafkajs-lz4' {
  export default class LZ4Codec {
    constructor(options?: unknown)
    codec: () => unknown
  }
}
