import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { assertPortFree } from '../../harness/cluster/ports.js'
import { checkJava, ensureKafka, ensureToxiproxy, parseJavaMajor } from '../../harness/runtime/install.js'

const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
})

/** A fake `java` that prints the given `java -version` banner. */
function fakeJavaHome(banner: string): string {
  const home = mkdtempSync(join(tmpdir(), 'kd-java-'))
  const bin = join(home, 'bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, 'java'), `#!/bin/sh\necho '${banner}' >&2\n`)
  chmodSync(join(bin, 'java'), 0o755)
  return home
}

describe('bad runtime input gets an error that names the fix', () => {
  test('java -version banners of Java 8, 17 and 25 parse to their major version', () => {
    expect(parseJavaMajor('openjdk version "1.8.0_392"')).toBe(8)
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17)
    expect(parseJavaMajor('openjdk version "25" 2025-09-16')).toBe(25)
  })

  test('no Java at JAVA_HOME', async () => {
    process.env.JAVA_HOME = '/nonexistent/jdk'
    await expect(checkJava()).rejects.toThrow(/java: cannot run '\/nonexistent\/jdk\/bin\/java' \(ENOENT\)\. Fix: install a JDK 17\+/)
  })

  test('a Java older than Kafka needs', async () => {
    process.env.JAVA_HOME = fakeJavaHome('openjdk version "11.0.22" 2024-01-16')
    await expect(checkJava()).rejects.toThrow(/is Java 11, but Kafka 4\.4\.0 needs Java 17 or newer\. Fix: install openjdk-17-jre-headless/)
  })

  test('no mvn on PATH when Kafka is not cached yet', async () => {
    process.env.KAFKA_DURABILITY_CACHE = mkdtempSync(join(tmpdir(), 'kd-cache-'))
    process.env.PATH = '/nonexistent'
    await expect(ensureKafka()).rejects.toThrow(/mvn: not found on PATH\. Fix: install Maven 3/)
  })

  test('no go on PATH when Toxiproxy is not cached yet', async () => {
    process.env.KAFKA_DURABILITY_CACHE = mkdtempSync(join(tmpdir(), 'kd-cache-'))
    process.env.PATH = '/nonexistent'
    await expect(ensureToxiproxy()).rejects.toThrow(/go: not found on PATH\. Fix: install Go 1\.22\+/)
  })

  test('a port taken by another process', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as { port: number }).port
    try {
      await expect(assertPortFree(port, 'node 1 client listener')).rejects.toThrow(
        new RegExp(`port 127\\.0\\.0\\.1:${port} \\(node 1 client listener\\) is taken by another process\\. Fix: stop that process`),
      )
    } finally {
      server.close()
    }
  })
})
