/**
 * The second half of `npm run build`: every file of harness/ that tsc does not compile (the
 * runtime's pom.xml, tether.pl, follow-main.mjs, the Java and Go drivers' sources, the Node
 * clients' pinned package.json and lock files) copied to the same place under dist/harness/, so a
 * built module finds its assets beside it, as its source does.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const copied: string[] = []
function walk(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') walk(path)
    } else if (!entry.name.endsWith('.ts')) {
      const to = join(root, 'dist', relative(root, path))
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(path, to)
      copied.push(relative(root, path))
    }
  }
}
walk(join(root, 'harness'))
walk(join(root, 'native')) // powerfs's Go sources: setup builds it from dist/native/powerfs (harness/runtime/powerfs.ts)
console.log(`[build] ${copied.length} assets copied to dist/: ${copied.join(', ')}`)
