/**
 * A producer client that runs in a driver process of its own (docs/clients/protocol.md), behind
 * the seam: the Java and franz-go adapters build one. The driver gives one result per record with
 * the client's own offset for that record; this maps each to a ledger entry, the driver's events
 * and late answers to ledger events, and keeps the producer id it last reported.
 *
 * The process starts on the first connect() (create() is synchronous), with the start line built
 * from the profile; it lives as long as its stdin, so it cannot outlive this process.
 */
import { join } from 'node:path'
import { now } from '../workload/clock.js'
import type { LedgerEntry } from '../workload/ledger.js'
import { ID_HEADER } from '../workload/record.js'
import { defineAdapter, erred, pendingEntry } from './common.js'
import { DriverProcess, type DriverName } from './driver.js'
import type { ClientEndpoint } from './endpoint.js'
import type { FieldNamer, ProducerProfile, RetrySettings } from './profile.js'
import { PROTOCOL_VERSION, type DriverLine, type DriverProfile, type DriverRecord, type DriverStart, type RecordResult } from './protocol.js'
import type { ClientAdapter, ClientSpec, EventSink, OutgoingRecord, ProducerClient, ProducerIdentity, SendCallOptions } from './types.js'

/** How long a driver's connect, init-transactions and close may take, ms. */
const COMMAND_TIMEOUT_MS = 30_000

/**
 * The profile as a driver's start line takes it. Compression is stated even when absent (none):
 * the harness's reader decodes only what adapters send on purpose (harness/clients/common.ts).
 */
export function driverProfile(p: ProducerProfile): DriverProfile {
  return { ...p, compression: p.compression ?? 'none' } as DriverProfile
}

export function startLine(topic: string, profile: ProducerProfile, endpoint: ClientEndpoint): DriverStart {
  return {
    protocol: PROTOCOL_VERSION,
    topic,
    endpoint: { clientId: endpoint.clientId, brokers: [...endpoint.brokers], connectionTimeoutMs: endpoint.connectionTimeoutMs, requestTimeoutMs: endpoint.requestTimeoutMs },
    producer: driverProfile(profile),
  }
}

/** A record as a send command carries it (the `id` header added). */
function driverRecord(r: OutgoingRecord): DriverRecord {
  return {
    id: r.id,
    key: typeof r.key === 'string' ? r.key : null,
    ...(r.key instanceof Uint8Array ? { keyBase64: Buffer.from(r.key).toString('base64') } : {}),
    value: r.value ?? '',
    headers: { ...r.headers, [ID_HEADER]: r.id },
    ...(r.partition === undefined ? {} : { partition: r.partition }),
  }
}

/** A driver's result for a record, as its ledger entry. */
export function entryOf(base: LedgerEntry, r: RecordResult): LedgerEntry {
  const entry = { ...base, partition: r.partition, attempts: r.attempts ?? 0 }
  if (r.outcome === 'ok') return { ...entry, outcome: 'ok', offset: r.offset }
  const reason = r.reason === 'error' || r.reason === undefined ? (r.error?.message ?? 'error') : `${r.reason}${r.error ? `: ${r.error.message}` : ''}`
  if (r.error === undefined) return { ...entry, outcome: r.outcome, reason }
  const { class: errorClass, name, message, retriable, code, type, cause } = r.error
  return erred(entry, r.outcome, errorClass, { name, message, retriable, ...(code === undefined ? {} : { code }), ...(type === undefined ? {} : { type }), ...(cause ? { cause } : {}) }, reason)
}

export class DriverClient implements ProducerClient {
  private driver: DriverProcess | undefined
  private starting: Promise<DriverProcess> | undefined
  private calls = 0
  private identitySeen: ProducerIdentity | undefined

  constructor(
    readonly client: DriverName,
    private readonly spec: ClientSpec,
    private readonly refuseRecord: (r: OutgoingRecord) => string | undefined = () => undefined,
  ) {}

  private get onEvent(): EventSink {
    return this.spec.onEvent
  }

  private take(line: DriverLine): void {
    if (line.type === 'event') this.onEvent({ at: line.at, type: line.event, detail: line.detail })
    else if (line.type === 'late') this.onEvent({ at: line.at, type: 'late-result', detail: { call: line.call, id: line.id, outcome: line.outcome, partition: line.partition, offset: line.offset } })
    else if (line.type === 'identity' && line.producerId !== null && line.epoch !== null) this.identitySeen = { producerId: line.producerId, epoch: line.epoch }
  }

  private started(): Promise<DriverProcess> {
    this.starting ??= DriverProcess.start(this.client, startLine(this.spec.topic, this.spec.profile, this.spec.endpoint), {
      ...(this.spec.endpoint.logDir ? { logFile: join(this.spec.endpoint.logDir, `${this.spec.endpoint.clientId}.${this.client}.log`) } : {}),
      onLine: (line) => this.take(line),
    }).then(
      (d) => (this.driver = d),
      (e: unknown) => {
        // A start that failed (a driver that could not be spawned or exited at once) is tried again on the session's next connect.
        this.starting = undefined
        throw e
      },
    )
    return this.starting
  }

  async connect(): Promise<void> {
    const reply = await (await this.started()).connect(COMMAND_TIMEOUT_MS)
    if (!reply.ok) throw new Error(`${this.client} could not connect: ${reply.error?.message ?? 'no reason given'}`)
    this.onEvent({ at: reply.at, type: 'connect', detail: { source: 'driver' } })
  }

  async initTransactions(): Promise<void> {
    const reply = await (await this.started()).initTransactions(COMMAND_TIMEOUT_MS)
    if (!reply.ok) throw new Error(`${this.client}: init-transactions failed: ${reply.error?.message ?? 'no reason given'}`)
  }

  async identity(): Promise<ProducerIdentity | undefined> {
    if (this.driver === undefined) return undefined
    const line = await this.driver.identity()
    if (line.producerId !== null && line.epoch !== null) this.identitySeen = { producerId: line.producerId, epoch: line.epoch }
    return this.identitySeen
  }

  async send(records: readonly OutgoingRecord[], options: SendCallOptions = {}): Promise<LedgerEntry[]> {
    const call = this.calls++
    const start = now()
    const driver = this.driver
    const refused = records.map(this.refuseRecord).find((why) => why !== undefined)
    if (refused !== undefined) {
      const end = now()
      return records.map((r) => erred(pendingEntry(r, call, start, end), 'failed', 'client-refused', { name: 'RefusedByAdapter', message: refused }))
    }
    if (driver === undefined) {
      const end = now()
      return records.map((r) => erred(pendingEntry(r, call, start, end), 'failed', 'not-connected', { name: 'NotConnected', message: `the ${this.client} driver is not started: connect first` }))
    }
    try {
      const results = await driver.send(call, records.map(driverRecord), options.commit)
      const end = now()
      return records.map((r, i) => entryOf(pendingEntry(r, call, start, end), results[i] as RecordResult))
    } catch (e) {
      const end = now()
      return records.map((r) => ({ ...pendingEntry(r, call, start, end), reason: `the ${this.client} driver stopped answering: ${(e as Error).message.split('\n')[0]}` }))
    }
  }

  abandonInFlight(): void {
    this.driver?.abandon().catch(() => {})
  }

  async close(): Promise<void> {
    const driver = this.driver ?? (await this.starting?.catch(() => undefined))
    if (driver === undefined) return
    try {
      await driver.close(5_000)
    } catch {
      await driver.kill()
    }
  }
}

/** What sets one driver's adapter apart: its refusals and its production retry defaults. */
export interface DriverAdapterSpec {
  name: DriverName
  /** Throws ConfigError naming the field for what this client cannot honour (beyond the shared rules). */
  refuse(profile: ProducerProfile, name: FieldNamer): void
  /** A record this client cannot send as given: the reason, or undefined. */
  refuseRecord?(record: OutgoingRecord): string | undefined
  /** The client's own retry defaults, filled in where the profile says nothing. */
  retry: RetrySettings
}

/** A driver's adapter: its producers are DriverClients. */
export function driverAdapter(spec: DriverAdapterSpec): ClientAdapter {
  return defineAdapter({
    ...spec,
    describe: (p) => ({ driver: spec.name, producer: driverProfile(p) }),
    build: (clientSpec) => new DriverClient(spec.name, clientSpec, spec.refuseRecord),
  })
}
