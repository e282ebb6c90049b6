/**
 * The producer clients beside kafkajs, installed into the cache (never the project's
 * node_modules, so `npm ci` stays what it is): `npm run setup:clients`.
 *
 * | client       | what is installed                                  | from                                  | into <cache>/clients/ |
 * |--------------|----------------------------------------------------|---------------------------------------|-----------------------|
 * | java         | kafka-clients (+ slf4j-jdk14, Jackson) and the driver compiled with javac | Maven Central (mvn), harness/clients/java/driver | java-driver/ |
 * | franz-go     | the driver, `go build` against franz-go            | the Go module proxy, harness/clients/franz-go/driver | franz-go-driver/ |
 * | confluent    | @confluentinc/kafka-javascript, librdkafka built from its bundled source against Debian's libraries (CKJS_LINKING=dynamic) | npm | confluent/node_modules |
 * | platformatic | @platformatic/kafka (pure JavaScript)              | npm                                   | platformatic/node_modules |
 *
 * Each is keyed by what it is built from (its sources, lock file, tool versions): a second run
 * with the same key does nothing, a changed key rebuilds. A build goes to `<name>.partial` and is
 * renamed into place only once it loads, so an interrupted build never counts as installed.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ConfigError, RuntimeRequirementError } from '../errors.js'
import { javaExecutable } from './install.js'
import { CLIENT_PACKAGES, FRANZ_GO_VERSION, JAVA_MIN_MAJOR, KAFKA_VERSION, cacheDir } from './versions.js'

const run = promisify(execFile)
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const JAVA_DRIVER_SRC = join(repo, 'harness', 'clients', 'java', 'driver')
const FRANZ_GO_DRIVER_SRC = join(repo, 'harness', 'clients', 'franz-go', 'driver')
export const JAVA_DRIVER_MAIN = 'kd.driver.Driver'

export type ClientName = 'java' | 'franz-go' | 'confluent' | 'platformatic'
export const CLIENT_NAMES: readonly ClientName[] = ['java', 'franz-go', 'confluent', 'platformatic']
export type NodeClientName = 'confluent' | 'platformatic'

export interface InstallStep {
  client: ClientName
  step: string
  ms: number
  /** Nothing to do: the cache held it already. */
  cached: boolean
}

type Log = (line: string) => void

export function clientsDir(): string {
  return join(cacheDir(), 'clients')
}

/** Parses `--clients` / `--clients=java,franz-go`; undefined when the flag is absent. */
export function parseClientsFlag(args: readonly string[]): ClientName[] | undefined {
  const flag = args.find((a) => a === '--clients' || a.startsWith('--clients='))
  if (flag === undefined) return undefined
  if (flag === '--clients') return [...CLIENT_NAMES]
  const names = flag.slice('--clients='.length).split(',').filter((n) => n !== '')
  for (const n of names) {
    if (!(CLIENT_NAMES as readonly string[]).includes(n)) throw new ConfigError('--clients', `must list clients among ${CLIENT_NAMES.join(', ')}`, n)
  }
  return names as ClientName[]
}

/**
 * Installs (or finds cached) every client named, one after another, each step timed. Not side by
 * side: on the 2-core machine that was measured, the Go build and librdkafka's C++ build compete
 * for the cores (cold, one after another 171 s, side by side 176 s; docs/clients.md).
 */
export async function ensureClients(names: readonly ClientName[], log: Log = () => {}): Promise<InstallStep[]> {
  const steps: InstallStep[] = []
  for (const name of names) {
    if (name === 'java') await ensureJavaDriver(log, steps)
    else if (name === 'franz-go') await ensureFranzGoDriver(log, steps)
    else await ensureNodeClient(name, log, steps)
  }
  return steps
}

async function timed<T>(steps: InstallStep[], client: ClientName, step: string, log: Log, body: () => Promise<{ value: T; cached: boolean }>): Promise<T> {
  const t0 = performance.now()
  const { value, cached } = await body()
  const ms = Math.round(performance.now() - t0)
  steps.push({ client, step, ms, cached })
  log(`${client}: ${step}: ${cached ? 'cached' : 'done'} in ${ms} ms`)
  return value
}

function hashOf(parts: readonly (string | Buffer)[]): string {
  const h = createHash('sha256')
  for (const p of parts) h.update(p).update('\0')
  return h.digest('hex').slice(0, 16)
}

/** Every file under `dir` (relative names, sorted), skipping what `skip` says. */
export function filesUnder(dir: string, skip: (name: string) => boolean = () => false): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e)
      if (skip(e)) continue
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out
}

export function keyOfFiles(dir: string, files: readonly string[], extra: readonly string[]): string {
  return hashOf([...extra, ...files.flatMap((f) => [f, readFileSync(join(dir, f))])])
}

export const readKey = (file: string): string | undefined => (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined)

export async function toolVersion(tool: string, args: string[], fix: string): Promise<string> {
  try {
    const r = await run(tool, args)
    return (r.stdout + r.stderr).trim()
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const missing = tool.includes('/') ? 'not found' : 'not found on PATH'
    throw new RuntimeRequirementError(tool, code === 'ENOENT' ? missing : `'${tool} ${args.join(' ')}' failed`, fix)
  }
}

export function failure(e: unknown): string {
  const err = e as { stdout?: string; stderr?: string; message?: string }
  const out = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim()
  return (out === '' ? (err.message ?? String(e)) : out).split('\n').slice(-40).join('\n')
}

// ─── Java ───────────────────────────────────────────────────────────────────────────────────────

export interface JavaDriver {
  java: string
  /** The driver's classes, then every jar kafka-clients needs. */
  classpath: string
  mainClass: string
}

export function javacExecutable(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac'
}

const JAVAC_FIX = `install a JDK ${JAVA_MIN_MAJOR}+ (Debian: apt-get install -y openjdk-17-jdk-headless; a JRE has no javac) or set JAVA_HOME to one`

/** kafka-clients' jars from Maven Central, then the driver compiled with the installed JDK's javac. */
export async function ensureJavaDriver(log: Log = () => {}, steps: InstallStep[] = []): Promise<JavaDriver> {
  const home = join(clientsDir(), 'java-driver')
  const libs = join(home, 'libs')
  const classes = join(home, 'classes')
  const pom = join(JAVA_DRIVER_SRC, 'pom.xml')
  const libsKey = hashOf([readFileSync(pom)])
  await timed(steps, 'java', `kafka-clients ${KAFKA_VERSION} jars (mvn)`, log, async () => {
    if (readKey(join(home, 'libs.key')) === libsKey && existsSync(libs)) return { value: undefined, cached: true }
    await toolVersion('mvn', ['-v'], "install Maven 3 (Debian: apt-get install -y maven); it resolves kafka-clients' jars from Maven Central once, then they are cached")
    mkdirSync(home, { recursive: true })
    const tmp = `${libs}.partial`
    rmSync(tmp, { recursive: true, force: true })
    try {
      await run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'], { maxBuffer: 64 * 1024 * 1024 })
    } catch (e) {
      throw new RuntimeRequirementError('mvn', `resolving org.apache.kafka:kafka-clients:${KAFKA_VERSION} failed:\n${failure(e)}`, 'check that Maven Central is reachable (or ~/.m2/settings.xml mirrors it)')
    }
    if (!readdirSync(tmp).includes(`kafka-clients-${KAFKA_VERSION}.jar`)) {
      throw new RuntimeRequirementError('mvn', `no kafka-clients-${KAFKA_VERSION}.jar among the jars resolved into ${tmp}`, `delete ${home} and retry`)
    }
    rmSync(libs, { recursive: true, force: true })
    renameSync(tmp, libs)
    writeFileSync(join(home, 'libs.key'), `${libsKey}\n`)
    return { value: undefined, cached: false }
  })
  await timed(steps, 'java', 'driver (javac)', log, async () => {
    const sources = filesUnder(join(JAVA_DRIVER_SRC, 'src')).filter((f) => f.endsWith('.java'))
    const javacVersion = await toolVersion(javacExecutable(), ['-version'], JAVAC_FIX)
    const major = Number(/javac (\d+)/.exec(javacVersion)?.[1] ?? 0)
    if (major < JAVA_MIN_MAJOR) throw new RuntimeRequirementError('javac', `'${javacVersion}' is older than Java ${JAVA_MIN_MAJOR}`, JAVAC_FIX)
    const key = keyOfFiles(join(JAVA_DRIVER_SRC, 'src'), sources, [javacVersion, libsKey])
    if (readKey(join(home, 'classes.key')) === key && existsSync(classes)) return { value: undefined, cached: true }
    const tmp = `${classes}.partial`
    rmSync(tmp, { recursive: true, force: true })
    try {
      await run(javacExecutable(), ['-Xlint:all', '-Werror', '--release', String(JAVA_MIN_MAJOR), '-encoding', 'UTF-8', '-d', tmp, '-cp', join(libs, '*'), ...sources.map((s) => join(JAVA_DRIVER_SRC, 'src', s))], {
        maxBuffer: 16 * 1024 * 1024,
      })
    } catch (e) {
      throw new RuntimeRequirementError('javac', `compiling harness/clients/java/driver failed:\n${failure(e)}`, 'fix the driver sources (the message names the line)')
    }
    rmSync(classes, { recursive: true, force: true })
    renameSync(tmp, classes)
    writeFileSync(join(home, 'classes.key'), `${key}\n`)
    return { value: undefined, cached: false }
  })
  return javaDriver()
}

/** The installed Java driver; RuntimeRequirementError naming the fix if it is not installed. */
export function javaDriver(): JavaDriver {
  const home = join(clientsDir(), 'java-driver')
  if (!existsSync(join(home, 'classes.key')) || !existsSync(join(home, 'libs.key'))) {
    throw new RuntimeRequirementError('java driver', `not installed in ${home}`, 'run `npm run setup:clients` (or `npm run setup -- --clients=java`)')
  }
  return { java: javaExecutable(), classpath: `${join(home, 'classes')}:${join(home, 'libs', '*')}`, mainClass: JAVA_DRIVER_MAIN }
}

// ─── franz-go ───────────────────────────────────────────────────────────────────────────────────

/** The driver built with `go build` into the cache (franz-go from the Go module proxy). */
export async function ensureFranzGoDriver(log: Log = () => {}, steps: InstallStep[] = []): Promise<string> {
  const home = join(clientsDir(), 'franz-go-driver')
  const bin = join(home, 'driver')
  await timed(steps, 'franz-go', `driver (go build, franz-go ${FRANZ_GO_VERSION})`, log, async () => {
    const goVersion = await toolVersion('go', ['env', 'GOVERSION'], 'install Go 1.22+ (https://go.dev/doc/install); franz-go needs Go 1.26, which the go command fetches from the Go module proxy itself unless GOTOOLCHAIN=local')
    const files = filesUnder(FRANZ_GO_DRIVER_SRC).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    const key = keyOfFiles(FRANZ_GO_DRIVER_SRC, files, [goVersion, process.platform, process.arch])
    if (readKey(join(home, 'driver.key')) === key && existsSync(bin)) return { value: undefined, cached: true }
    mkdirSync(home, { recursive: true })
    const tmp = `${bin}.partial`
    try {
      await run('go', ['build', '-trimpath', '-o', tmp, '.'], {
        cwd: FRANZ_GO_DRIVER_SRC,
        env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
        maxBuffer: 16 * 1024 * 1024,
      })
    } catch (e) {
      throw new RuntimeRequirementError('go', `go build of harness/clients/franz-go/driver failed:\n${failure(e)}`, 'check that the Go module proxy is reachable (GOPROXY), or fix the driver sources the message names')
    }
    renameSync(tmp, bin)
    writeFileSync(join(home, 'driver.key'), `${key}\n`)
    return { value: undefined, cached: false }
  })
  return franzGoDriver()
}

/** The installed franz-go driver's executable; RuntimeRequirementError naming the fix if it is not installed. */
export function franzGoDriver(): string {
  const bin = join(clientsDir(), 'franz-go-driver', 'driver')
  if (!existsSync(bin)) throw new RuntimeRequirementError('franz-go driver', `not installed at ${bin}`, 'run `npm run setup:clients` (or `npm run setup -- --clients=franz-go`)')
  return bin
}

// ─── Node clients ───────────────────────────────────────────────────────────────────────────────

/** The Debian packages librdkafka's build needs, each by a file it installs. */
const CONFLUENT_BUILD_NEEDS: readonly { pkg: string; files: readonly string[] }[] = [
  { pkg: 'build-essential', files: ['/usr/bin/make', '/usr/bin/g++'] },
  { pkg: 'python3', files: ['/usr/bin/python3'] },
  { pkg: 'libssl-dev', files: ['/usr/include/openssl/ssl.h'] },
  { pkg: 'zlib1g-dev', files: ['/usr/include/zlib.h'] },
  { pkg: 'libsasl2-dev', files: ['/usr/include/sasl/sasl.h'] },
  { pkg: 'liblz4-dev', files: ['/usr/include/lz4.h'] },
  { pkg: 'libzstd-dev', files: ['/usr/include/zstd.h'] },
]

/** Debian packages missing for the confluent client's build (by the files they install). */
export function missingConfluentBuildPackages(): string[] {
  const found = (f: string) => existsSync(f) || existsSync(f.replace('/usr/', '/usr/local/'))
  return CONFLUENT_BUILD_NEEDS.filter((n) => !n.files.every(found)).map((n) => n.pkg)
}

function nodeClientDir(name: NodeClientName): string {
  return join(clientsDir(), name)
}

/** The environment of the client's install: confluent builds librdkafka from source, linked to the system's libraries. */
function installEnv(name: NodeClientName): NodeJS.ProcessEnv {
  if (name !== 'confluent') return process.env
  // node-pre-gyp would first try to download a prebuilt binary from GitHub (unreachable here,
  // and a binary fetched at install time is what the project avoids): build from source at once.
  return { ...process.env, CKJS_LINKING: 'dynamic', npm_config_build_from_source: 'true' }
}

/** Installs a Node client from its pinned lock file (harness/clients/<name>/install/) into the cache, then checks it loads. */
export async function ensureNodeClient(name: NodeClientName, log: Log = () => {}, steps: InstallStep[] = []): Promise<string> {
  const pkg = CLIENT_PACKAGES[name]
  const src = join(repo, 'harness', 'clients', name, 'install')
  const home = nodeClientDir(name)
  await timed(steps, name, `${pkg.name}@${pkg.version} (npm ci${name === 'confluent' ? ', librdkafka built' : ''})`, log, async () => {
    const key = keyOfFiles(src, ['package.json', 'package-lock.json'], [
      process.version,
      process.versions.modules,
      process.platform,
      process.arch,
      JSON.stringify(installEnv(name) === process.env ? {} : { CKJS_LINKING: 'dynamic' }),
    ])
    if (readKey(join(home, '.key')) === key && existsSync(join(home, 'node_modules'))) return { value: undefined, cached: true }
    if (name === 'confluent') {
      const missing = missingConfluentBuildPackages()
      if (missing.length > 0) {
        throw new RuntimeRequirementError(
          'confluent',
          `building librdkafka for ${pkg.name} needs ${missing.join(', ')}`,
          `apt-get install -y ${missing.join(' ')} (as root: bash scripts/prerequisites.sh --clients)`,
        )
      }
    }
    const tmp = `${home}.partial`
    rmSync(tmp, { recursive: true, force: true })
    mkdirSync(tmp, { recursive: true })
    copyFileSync(join(src, 'package.json'), join(tmp, 'package.json'))
    copyFileSync(join(src, 'package-lock.json'), join(tmp, 'package-lock.json'))
    try {
      await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env: installEnv(name), maxBuffer: 64 * 1024 * 1024 })
    } catch (e) {
      throw new RuntimeRequirementError('npm', `npm ci of ${pkg.name}@${pkg.version} in ${tmp} failed:\n${failure(e)}`, name === 'confluent' ? 'see the build log above; librdkafka needs the Debian packages scripts/prerequisites.sh --clients installs' : 'check that the npm registry is reachable')
    }
    rmSync(home, { recursive: true, force: true })
    renameSync(tmp, home)
    await checkNodeClient(name)
    writeFileSync(join(home, '.key'), `${key}\n`)
    return { value: undefined, cached: false }
  })
  return home
}

/**
 * Loads the installed client in a child process (a native addon that crashes takes only the
 * child with it) and checks what it must have: librdkafka with zstd for confluent.
 */
async function checkNodeClient(name: NodeClientName): Promise<void> {
  const pkg = CLIENT_PACKAGES[name]
  const probe =
    name === 'confluent'
      ? `const k = require(${JSON.stringify(pkg.name)}); console.log(JSON.stringify({ librdkafka: k.librdkafkaVersion, features: k.features }))`
      : `const k = require(${JSON.stringify(pkg.name)}); console.log(JSON.stringify({ exports: Object.keys(k).length, Producer: typeof k.Producer }))`
  let out: string
  try {
    out = (await run(process.execPath, ['-e', probe], { cwd: nodeClientDir(name) })).stdout
  } catch (e) {
    throw new RuntimeRequirementError(name, `${pkg.name} is installed in ${nodeClientDir(name)} but does not load:\n${failure(e)}`, `delete ${nodeClientDir(name)} and run npm run setup:clients again`)
  }
  const seen = JSON.parse(out) as { features?: string[]; Producer?: string }
  if (name === 'confluent' && !seen.features?.includes('zstd')) {
    throw new RuntimeRequirementError(name, `librdkafka was built without zstd (features: ${seen.features?.join(', ')})`, `apt-get install -y libzstd-dev, delete ${nodeClientDir(name)} and run npm run setup:clients again`)
  }
  if (name === 'platformatic' && seen.Producer !== 'function') {
    throw new RuntimeRequirementError(name, `${pkg.name} loads but exports no Producer`, `check the version pinned in harness/clients/platformatic/install/package.json`)
  }
}

/**
 * A require() that resolves from the Node client's install in the cache (its adapter, in
 * harness/clients/<name>/, names the package itself); RuntimeRequirementError naming the fix if
 * it is not installed.
 */
export function requireFromCache(name: NodeClientName): NodeJS.Require {
  const home = nodeClientDir(name)
  if (!existsSync(join(home, '.key'))) {
    throw new RuntimeRequirementError(name, `${CLIENT_PACKAGES[name].name} is not installed in ${home}`, `run \`npm run setup:clients\` (or \`npm run setup -- --clients=${name}\`)`)
  }
  return createRequire(join(home, 'package.json'))
}
