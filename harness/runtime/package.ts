/**
 * Where the package is, and how to start one of its modules as a process, the same from the
 * repo (TypeScript through tsx) and from node_modules (the build in dist/, plain JavaScript).
 * dist/ mirrors the source tree, so a module's assets sit beside it either way.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PACKAGE_NAME = 'kafka-durability'

/** The folder holding this package's package.json (the repo, or node_modules/kafka-durability). */
export const PACKAGE_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)))

/** Where the modules run from: the repo's root (sources) or dist/ (the build). */
export const MODULES_ROOT: string = extname(fileURLToPath(import.meta.url)) === '.ts' ? PACKAGE_ROOT : join(PACKAGE_ROOT, 'dist')

/** The package's version, from its package.json. */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir
    if (dirname(dir) === dir) throw new Error(`no package.json named ${PACKAGE_NAME} above ${from}`)
  }
}

/** A module of this package by its path from the source root without extension ('harness/cluster/containers/reaper-main'): its file, .ts or .js as this module runs. */
export function moduleFile(path: string): string {
  return join(MODULES_ROOT, `${path}${extname(fileURLToPath(import.meta.url))}`)
}

/** node's arguments that run `file` as a process: through tsx when it is TypeScript. */
export function nodeArgs(file: string): string[] {
  return file.endsWith('.ts') ? ['--import', 'tsx', file] : [file]
}

/**
 * The package's public entry points (package.json `exports`, those that are modules): each
 * import path (`kafka-durability/engines`) with its source module in the repo
 * (`harness/engines/index.ts`; dist/ mirrors the sources). The repo's vitest.config.ts aliases
 * them and tsconfig.json's `paths` lists them, so the repo's own examples import the package as a
 * team does (tests/unit/package.test.ts keeps the three equal).
 */
export function publicEntries(): { specifier: string; source: string }[] {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { default: string }> }
  return Object.entries(pkg.exports)
    .filter((e): e is [string, { default: string }] => typeof e[1] === 'object')
    .map(([path, entry]) => ({ specifier: `${PACKAGE_NAME}${path.slice(1)}`, source: entry.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts') }))
}
