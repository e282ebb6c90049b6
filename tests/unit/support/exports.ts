/**
 * Who uses each export of harness/: every named export of every harness module, and the files
 * that import it (through any index that re-exports it), read with the TypeScript parser. The rule
 * test (tests/unit/layers.test.ts) holds the layers to it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { publicEntries } from '../../../harness/runtime/package.js'

export const ROOT = resolve(import.meta.dirname, '../../..')
/** Where importers live: everything the project runs. */
const SCANNED = ['harness', 'tests', 'bench', 'scripts', 'examples']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path)
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

interface Module {
  /** Names declared and exported here. */
  own: Set<string>
  /** Of those, the values (functions, classes, constants), not types. */
  values: Set<string>
  /** Of those, the ones this module uses itself (referenced beyond their declaration). */
  usedHere: Set<string>
  /** `export { a as b } from './x.js'`: b → [x, a]; `export * from './x.js'`: '*' entries. */
  reexports: Map<string, [string, string]>
  stars: string[]
  /** Imports of harness modules: [module, name | '*'] */
  imports: [string, string][]
}

const rel = (p: string): string => relative(ROOT, p)

/** The package's own import paths (`kafka-durability/engines`), as a team's file imports them, at their source modules. */
const PUBLIC = new Map(publicEntries().map((e) => [e.specifier, join(ROOT, e.source)]))

function resolveSpecifier(from: string, spec: string): string | undefined {
  const entry = PUBLIC.get(spec)
  if (entry) return entry
  if (!spec.startsWith('.')) return undefined
  const base = resolve(dirname(from), spec)
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return undefined
}

function parse(file: string): Module {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const m: Module = { own: new Set(), values: new Set(), usedHere: new Set(), reexports: new Map(), stars: [], imports: [] }
  const references = new Map<string, number>()
  const exported = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((x) => x.kind === ts.SyntaxKind.ExportKeyword)
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const target = resolveSpecifier(file, node.moduleSpecifier.text)
      const clause = node.importClause
      if (target && clause) {
        if (clause.name) m.imports.push([target, 'default'])
        const b = clause.namedBindings
        if (b && ts.isNamespaceImport(b)) m.imports.push([target, '*'])
        if (b && ts.isNamedImports(b)) for (const e of b.elements) m.imports.push([target, (e.propertyName ?? e.name).text])
      }
    } else if (ts.isExportDeclaration(node)) {
      const target = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? resolveSpecifier(file, node.moduleSpecifier.text) : undefined
      const clause = node.exportClause
      if (target && !clause) m.stars.push(target)
      if (clause && ts.isNamedExports(clause)) {
        for (const e of clause.elements) {
          const local = (e.propertyName ?? e.name).text
          if (target) m.reexports.set(e.name.text, [target, local])
          else m.own.add(e.name.text)
        }
      }
    } else if (exported(node)) {
      if (ts.isVariableStatement(node)) {
        for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) m.own.add(d.name.text), m.values.add(d.name.text)
      } else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isEnumDeclaration(node)) && node.name) {
        m.own.add(node.name.text)
        m.values.add(node.name.text)
      } else if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name) {
        m.own.add(node.name.text)
      }
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      const target = arg && ts.isStringLiteral(arg) ? resolveSpecifier(file, arg.text) : undefined
      if (target) m.imports.push([target, '*'])
    }
    if (ts.isIdentifier(node)) references.set(node.text, (references.get(node.text) ?? 0) + 1)
    ts.forEachChild(node, visit)
  }
  visit(sf)
  for (const name of m.own) if ((references.get(name) ?? 0) > 1) m.usedHere.add(name)
  return m
}

export interface HarnessExport {
  /** `harness/<path>#<name>` */
  id: string
  /** A function, class or constant (not a type). */
  value: boolean
  /** Referenced in its own module beyond its declaration. */
  usedHere: boolean
  /** The files (relative to the root) that import it, through any index that re-exports it. */
  users: Set<string>
}

/** Every export declared in harness/, and who uses it. */
export function harnessExports(): HarnessExport[] {
  const files = SCANNED.filter((d) => existsSync(join(ROOT, d))).flatMap((d) => sources(join(ROOT, d)))
  files.push(join(ROOT, 'vitest.config.ts'))
  const modules = new Map(files.map((f) => [f, parse(f)]))
  const isHarness = (f: string): boolean => rel(f).startsWith('harness/')

  /** Where an export of `file` named `name` is declared: [file, name]. */
  const origin = (file: string, name: string, seen = new Set<string>()): [string, string] | undefined => {
    const key = `${file}#${name}`
    if (seen.has(key)) return undefined
    seen.add(key)
    const m = modules.get(file)
    if (!m) return undefined
    if (m.own.has(name)) return [file, name]
    const re = m.reexports.get(name)
    if (re) return origin(re[0], re[1], seen)
    for (const star of m.stars) {
      const found = origin(star, name, seen)
      if (found) return found
    }
    return undefined
  }
  const allNames = (file: string, seen = new Set<string>()): string[] => {
    if (seen.has(file)) return []
    seen.add(file)
    const m = modules.get(file)
    if (!m) return []
    return [...m.own, ...m.reexports.keys(), ...m.stars.flatMap((s) => allNames(s, seen))]
  }

  const exports = new Map<string, HarnessExport>()
  for (const [file, m] of modules) {
    if (!isHarness(file)) continue
    for (const name of m.own) {
      const id = `${rel(file)}#${name}`
      exports.set(id, { id, value: m.values.has(name), usedHere: m.usedHere.has(name), users: new Set() })
    }
  }
  for (const [file, m] of modules) {
    for (const [target, name] of m.imports) {
      if (!isHarness(target)) continue
      for (const n of name === '*' ? allNames(target) : [name]) {
        const o = origin(target, n)
        if (o && o[0] !== file) exports.get(`${rel(o[0])}#${o[1]}`)?.users.add(rel(file))
      }
    }
  }
  return [...exports.values()]
}
