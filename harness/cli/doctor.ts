/**
 * `kafka-durability doctor`: what a native run needs, checked one by one with the runtime's own
 * checks (harness/runtime), each failure with its fix. Nothing is installed or downloaded.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePorts } from '../cluster/ports.js'
import { RuntimeRequirementError } from '../errors.js'
import { checkJava } from '../runtime/install.js'
import { cacheDir, KAFKA_VERSION, TOXIPROXY_VERSION } from '../runtime/versions.js'

const run = promisify(execFile)

/** Ports a 3-node run binds: per node its listeners and their proxies (client, replication, controller, two lines), and Toxiproxy's API. */
const PORTS_CHECKED = 32

export interface Check {
  name: string
  ok: boolean
  /** What was found. */
  found: string
  /** How to fix it, when not ok. */
  fix?: string
  /** Informational: a failure does not stop a native run. */
  optional?: boolean
}

async function tool(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const r = await run(cmd, args)
    return (r.stdout + r.stderr).trim().split('\n')[0]?.replace(/\x1b\[[0-9;]*m/g, '')
  } catch {
    return undefined
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** Every check, in order. */
export async function doctor(): Promise<Check[]> {
  const checks: Check[] = []
  const node = Number(process.versions.node.split('.')[0])
  checks.push({ name: 'node', ok: node >= 20, found: `Node ${process.versions.node}`, fix: 'install Node 20 or newer (https://nodejs.org)' })
  try {
    const java = await checkJava()
    checks.push({ name: 'java', ok: true, found: `Java ${java.major} (${java.java})` })
  } catch (e) {
    checks.push({ name: 'java', ok: false, found: e instanceof RuntimeRequirementError ? e.problem : message(e), fix: e instanceof RuntimeRequirementError ? e.fix : 'install a JDK 17+ or set JAVA_HOME' })
  }
  const cache = cacheDir()
  const kafka = join(cache, `kafka-${KAFKA_VERSION}`, '.complete')
  if (existsSync(kafka)) checks.push({ name: 'kafka', ok: true, found: `Kafka ${KAFKA_VERSION} jars cached in ${join(cache, `kafka-${KAFKA_VERSION}`)}` })
  else {
    const mvn = await tool('mvn', ['-v'])
    checks.push({ name: 'kafka', ok: mvn !== undefined, found: mvn ? `not cached yet; ${mvn} will fetch it on the first run` : `Kafka ${KAFKA_VERSION} not cached, and no mvn on PATH to fetch it`, fix: "install Maven 3 (Debian: apt-get install -y maven); it resolves Kafka's jars from Maven Central once" })
  }
  const toxiproxy = join(cache, `toxiproxy-${TOXIPROXY_VERSION}`, 'toxiproxy-server')
  if (existsSync(toxiproxy)) checks.push({ name: 'toxiproxy', ok: true, found: `Toxiproxy ${TOXIPROXY_VERSION} built in ${toxiproxy}` })
  else {
    const go = await tool('go', ['version'])
    checks.push({ name: 'toxiproxy', ok: go !== undefined, found: go ? `not built yet; ${go} will build it on the first run` : `Toxiproxy ${TOXIPROXY_VERSION} not built, and no go on PATH to build it`, fix: 'install Go 1.22+ (https://go.dev/doc/install); Toxiproxy is built from the Go module proxy once' })
  }
  const perl = await tool('perl', ['-e', 'print "perl $^V"'])
  checks.push({ name: 'perl', ok: perl !== undefined, found: perl ?? 'no perl on PATH', fix: 'install perl-base (Debian: apt-get install -y perl-base): it tethers every process of a run to its owner' })
  try {
    // As a run takes its ports: all at once, free ones chosen by the kernel, on 127.0.0.1 only.
    const ports = await freePorts(PORTS_CHECKED)
    checks.push({ name: 'ports', ok: true, found: `${ports.length} free ports bound at once on 127.0.0.1 (a 3-node run takes about ${PORTS_CHECKED})` })
  } catch (e) {
    checks.push({ name: 'ports', ok: false, found: `cannot bind ${PORTS_CHECKED} ports on 127.0.0.1: ${message(e)}`, fix: 'bring up the loopback interface (ip link set lo up) and free ephemeral ports; every listener of a run binds 127.0.0.1' })
  }
  try {
    mkdirSync(cache, { recursive: true })
    accessSync(cache, constants.W_OK)
    checks.push({ name: 'cache', ok: true, found: `${cache} writable` })
  } catch (e) {
    checks.push({ name: 'cache', ok: false, found: `${cache}: ${message(e)}`, fix: 'set KAFKA_DURABILITY_CACHE to a writable folder' })
  }
  const engine = (await tool('podman', ['--version'])) ?? (await tool('docker', ['--version']))
  checks.push({ name: 'containers', ok: engine !== undefined, optional: true, found: engine ?? 'neither podman nor docker on PATH', fix: 'only for KAFKA_DURABILITY_PROVIDER=containers: install Podman or Docker, and testcontainers (npm i -D testcontainers)' })
  return checks
}

/** The checks as lines: ok / MISSING / note, and the fix under each failure. */
export function doctorText(checks: readonly Check[]): string {
  return checks
    .map((c) => `${c.ok ? 'ok     ' : c.optional ? 'note   ' : 'MISSING'} ${c.name.padEnd(10)} ${c.found}${c.ok || !c.fix ? '' : `\n${' '.repeat(19)}fix: ${c.fix}`}`)
    .join('\n')
}
