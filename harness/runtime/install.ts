import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { RuntimeRequirementError } from '../errors.js'
import { ensurePowerfs } from './powerfs.js'
import { JAVA_MIN_MAJOR, KAFKA_VERSION, TOXIPROXY_MODULE, TOXIPROXY_VERSION, cacheDir } from './versions.js'

const run = promisify(execFile)
const here = dirname(fileURLToPath(import.meta.url))

export interface Runtime {
  /** java executable (JAVA_HOME/bin/java if JAVA_HOME is set, else `java` on PATH). */
  java: string
  javaMajor: number
  kafkaVersion: string
  /** Classpath of the Kafka server: every jar of the resolved runtime. */
  kafkaClasspath: string
  toxiproxyServer: string
  toxiproxyVersion: string
  /** powerfs (native/powerfs): the FUSE layer under a node's data dir that a power cut empties of unsynced writes. */
  powerfs: string
}

type Log = (line: string) => void

/** Resolves (and on first use downloads and caches) everything the native provider runs. */
export async function ensureRuntime(log: Log = () => {}): Promise<Runtime> {
  const { java, major } = await checkJava()
  const libs = await ensureKafka(log)
  const toxiproxyServer = await ensureToxiproxy(log)
  const powerfs = await ensurePowerfs(log)
  return {
    java,
    javaMajor: major,
    kafkaVersion: KAFKA_VERSION,
    kafkaClasspath: join(libs, '*'),
    toxiproxyServer,
    toxiproxyVersion: TOXIPROXY_VERSION,
    powerfs,
  }
}

export function javaExecutable(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
}

/** Parses the major version out of `java -version` output ("1.8.0_392", "17.0.15", "25"). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput)
  if (!m) return undefined
  const first = Number(m[1])
  return first === 1 && m[2] ? Number(m[2]) : first
}

export async function checkJava(): Promise<{ java: string; major: number }> {
  const java = javaExecutable()
  let out: string
  try {
    const r = await run(java, ['-version'])
    out = r.stderr + r.stdout
  } catch (e) {
    throw new RuntimeRequirementError(
      'java',
      `cannot run '${java}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      `install a JDK ${JAVA_MIN_MAJOR}+ (Debian: apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME to one`,
    )
  }
  const major = parseJavaMajor(out)
  if (major === undefined) {
    throw new RuntimeRequirementError('java', `cannot read the version from '${out.split('\n')[0]}'`, `set JAVA_HOME to a JDK ${JAVA_MIN_MAJOR}+`)
  }
  if (major < JAVA_MIN_MAJOR) {
    throw new RuntimeRequirementError(
      'java',
      `'${java}' is Java ${major}, but Kafka ${KAFKA_VERSION} needs Java ${JAVA_MIN_MAJOR} or newer`,
      `install openjdk-17-jre-headless (or newer) and put it first on PATH, or set JAVA_HOME to it`,
    )
  }
  return { java, major }
}

async function requireTool(tool: string, args: string[], fix: string): Promise<void> {
  try {
    await run(tool, args)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new RuntimeRequirementError(tool, code === 'ENOENT' ? 'not found on PATH' : `'${tool} ${args.join(' ')}' failed`, fix)
  }
}

/** Kafka's jars, resolved with mvn from Maven Central into the cache; offline once cached. */
export async function ensureKafka(log: Log = () => {}): Promise<string> {
  const home = join(cacheDir(), `kafka-${KAFKA_VERSION}`)
  const libs = join(home, 'libs')
  const marker = join(home, '.complete')
  if (existsSync(marker)) return libs
  await requireTool('mvn', ['-v'], 'install Maven 3 (Debian: apt-get install -y maven); it resolves Kafka\'s jars from Maven Central once, then they are cached')
  log(`resolving Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libs}`)
  rmSync(home, { recursive: true, force: true })
  mkdirSync(home, { recursive: true })
  const tmp = `${libs}.partial`
  try {
    await run(
      'mvn',
      ['-q', '-B', '-f', join(here, 'pom.xml'), `-Dkafka.version=${KAFKA_VERSION}`, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'],
      { maxBuffer: 64 * 1024 * 1024 },
    )
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string }
    throw new RuntimeRequirementError('mvn', `resolving org.apache.kafka:kafka_2.13:${KAFKA_VERSION} failed:\n${(err.stdout ?? '') + (err.stderr ?? '')}`.trimEnd(), 'check that Maven Central is reachable (or ~/.m2/settings.xml mirrors it)')
  }
  const jars = readdirSync(tmp).filter((f) => f.endsWith('.jar'))
  if (!jars.some((j) => j.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
    throw new RuntimeRequirementError('mvn', `no kafka_2.13-${KAFKA_VERSION}.jar among the ${jars.length} resolved jars in ${tmp}`, 'delete the cache folder and retry')
  }
  renameSync(tmp, libs)
  writeFileSync(marker, `${jars.length} jars\n`)
  log(`Apache Kafka ${KAFKA_VERSION}: ${jars.length} jars cached`)
  return libs
}

/** Shopify's Toxiproxy server built with `go install` into the cache; offline once cached. */
export async function ensureToxiproxy(log: Log = () => {}): Promise<string> {
  const bin = join(cacheDir(), `toxiproxy-${TOXIPROXY_VERSION}`)
  const server = join(bin, 'toxiproxy-server')
  if (existsSync(server)) return server
  await requireTool('go', ['version'], 'install Go 1.22+ (https://go.dev/doc/install or Debian backports golang); Toxiproxy is built from the Go module proxy once, then cached')
  log(`building Toxiproxy ${TOXIPROXY_VERSION} with go install into ${bin}`)
  mkdirSync(bin, { recursive: true })
  try {
    await run('go', ['install', `${TOXIPROXY_MODULE}@${TOXIPROXY_VERSION}`], {
      env: { ...process.env, GOBIN: bin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch (e) {
    const err = e as { stderr?: string }
    throw new RuntimeRequirementError('go', `go install ${TOXIPROXY_MODULE}@${TOXIPROXY_VERSION} failed:\n${err.stderr ?? ''}`.trimEnd(), 'check that the Go module proxy is reachable (GOPROXY)')
  }
  renameSync(join(bin, 'server'), server)
  log(`Toxiproxy ${TOXIPROXY_VERSION} built`)
  return server
}
