import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from './helpers/cli.js'

const SRC = path.join(ROOT, 'src')
const LAYERS = ['core', 'cells', 'ui', 'cli'] as const

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((d) => {
    const full = path.join(dir, d.name)
    if (d.isDirectory()) return sourceFiles(full)
    return /\.tsx?$/.test(d.name) && !d.name.endsWith('.d.ts') ? [full] : []
  })
}

const FILES = sourceFiles(SRC)
const rel = (file: string) => path.relative(SRC, file)

/** The layer of a file under src/: its top folder; src/version.ts (and any other top-level file) counts as core. */
function layerOf(file: string): number {
  const top = rel(file).split(path.sep)[0] ?? ''
  const index = LAYERS.indexOf(top as (typeof LAYERS)[number])
  return index === -1 ? 0 : index
}

/** Relative specifiers of static imports and re-exports (type-only too) and of dynamic `import()`. */
export function specifiers(text: string): string[] {
  const found: string[] = []
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g]
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) if (m[1]) found.push(m[1])
  return found.filter((s) => s.startsWith('.'))
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec)
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]
  return candidates.find((c) => FILES.includes(c))
}

const GRAPH = new Map(FILES.map((file) => [file, specifiers(readFileSync(file, 'utf8')).map((s) => resolve(file, s)).filter((f): f is string => f !== undefined)]))

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's algorithm. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0))
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string | undefined
      do {
        w = stack.pop()
        if (w === undefined) break
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return out
}

describe('architecture (core < cells < ui < cli)', () => {
  it('finds the imports it checks (static, re-export, type-only and dynamic)', () => {
    expect(specifiers(`import a from './a.js'\nimport type {B} from "../b.js"\nexport {c} from './c.js'\nimport './side.js'\nconst d = await import('./d.js')\nimport x from 'node:fs'`)).toEqual(['./a.js', '../b.js', './c.js', './side.js', './d.js'])
    expect(FILES.length).toBeGreaterThan(50)
    // main.ts loads its commands with import(): the scan must see those edges.
    expect(GRAPH.get(path.join(SRC, 'cli/main.ts'))).toContain(path.join(SRC, 'cli/commands/check.ts'))
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e']]]))).toEqual([['a', 'b', 'c'], ['e']])
  })

  it('has no import cycle', () => {
    expect(cycles(GRAPH).map((c) => c.map(rel))).toEqual([])
  })

  it('never imports from a higher layer', () => {
    const upward = [...GRAPH].flatMap(([file, deps]) => deps.filter((dep) => layerOf(dep) > layerOf(file)).map((dep) => `${rel(file)} -> ${rel(dep)}`))
    expect(upward).toEqual([])
  })

  it('keeps src/ui files to 250 lines and other src files to 500', () => {
    const long = FILES.map((file) => ({file: rel(file), lines: readFileSync(file, 'utf8').split('\n').length - 1}))
      .filter(({file, lines}) => lines > (file.startsWith(`ui${path.sep}`) ? 250 : 500))
      .map(({file, lines}) => `${file}: ${lines} lines`)
    expect(long).toEqual([])
  })
})
