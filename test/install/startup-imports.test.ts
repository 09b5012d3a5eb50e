import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

/**
Start-up parses only what the chosen command needs. The build writes esbuild's metafile to
dist/meta.json; from it we follow each chunk's static imports (what Node must load before the chunk
runs) and check that heavy packages are reached only through dynamic `import()`.
*/

interface MetaImport {
  readonly path: string
  readonly kind: string
  readonly external?: boolean
}
interface MetaOutput {
  readonly entryPoint?: string
  readonly imports: readonly MetaImport[]
  readonly inputs: Readonly<Record<string, unknown>>
}
interface Metafile {
  readonly outputs: Readonly<Record<string, MetaOutput>>
}

const META = path.join(ROOT, 'dist', 'meta.json')
/** Packages that cost hundreds of milliseconds to load and that --version, --help and `notes` never need. */
const HEAVY = ['ink', 'react', 'react-reconciler', 'yoga-layout', 'dockerode', 'ssh2', 'marked', 'marked-terminal', 'cli-highlight', 'highlight.js', 'execa', 'undici', 'tar-stream']

function loadMeta(): Metafile {
  if (!existsSync(META)) throw new Error('dist/meta.json is missing: run `npm run build` (npm test does it in pretest).')
  return JSON.parse(readFileSync(META, 'utf8')) as Metafile
}

function packageOf(input: string): string | undefined {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
  return m?.[1]
}

/**
Everything loaded before `output` can run: it and the chunks it imports statically, transitively.
With `lazy`, dynamic imports are followed too: everything the command could ever load.
*/
function staticClosure(meta: Metafile, output: string, lazy = false): {chunks: Set<string>; packages: Set<string>; externals: Set<string>} {
  const chunks = new Set<string>()
  const packages = new Set<string>()
  const externals = new Set<string>()
  const visit = (name: string) => {
    if (chunks.has(name)) return
    const out = meta.outputs[name]
    if (!out) throw new Error(`dist/meta.json has no output ${name}; rebuild with \`npm run build\`.`)
    chunks.add(name)
    for (const input of Object.keys(out.inputs)) {
      const pkg = packageOf(input)
      if (pkg) packages.add(pkg)
    }
    for (const imp of out.imports) {
      if (imp.kind !== 'import-statement' && imp.kind !== 'require-call' && !(lazy && imp.kind === 'dynamic-import')) continue
      if (imp.external) externals.add(imp.path)
      else visit(imp.path)
    }
  }
  visit(output)
  return {chunks, packages, externals}
}

/** The output chunk built from a source file: esbuild treats the target of a dynamic import as an entry point too. */
function outputFor(meta: Metafile, source: string): string {
  const found = Object.entries(meta.outputs).find(([, out]) => out.entryPoint === source)
  if (!found) throw new Error(`No chunk in dist/meta.json is built from ${source}; rebuild with \`npm run build\`.`)
  return found[0]
}

function heavyIn(closure: ReturnType<typeof staticClosure>): string[] {
  const bare = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0] ?? spec)
  return [...new Set([...closure.packages, ...[...closure.externals].filter((e) => !e.startsWith('node:')).map(bare)])].filter((p) => HEAVY.includes(p)).sort()
}

describe('start-up loads only what the chosen command needs', () => {
  const meta = loadMeta()
  const entry = outputFor(meta, 'src/cli/entry.ts')

  it('the metafile describes the built files', () => {
    expect(entry).toBe('dist/cli.js')
    for (const name of Object.keys(meta.outputs)) expect(existsSync(path.join(ROOT, name)), name).toBe(true)
  })

  it('--version and --help: the entry chunk statically imports none of ink, react, dockerode, marked', () => {
    const closure = staticClosure(meta, entry)
    expect(heavyIn(closure)).toEqual([])
    // Not vacuous: following import() from the same entry does reach them.
    expect(heavyIn(staticClosure(meta, entry, true))).toEqual(expect.arrayContaining(['dockerode', 'ink', 'marked', 'react']))
    // And the check itself sees a static import when there is one: the notebook's own chunk loads Ink up front.
    expect(heavyIn(staticClosure(meta, outputFor(meta, 'src/ui/run-interactive.tsx')))).toEqual(expect.arrayContaining(['ink', 'react']))
  })

  it.each([
    ['notes', 'src/cli/commands/notes.ts'],
    ['notes export', 'src/core/notebook/export.ts'],
  ])('%s: its chunk statically imports none of the heavy packages either', (_name, source) => {
    const closure = staticClosure(meta, outputFor(meta, source))
    expect(heavyIn(closure)).toEqual([])
  })

  it('the bin answers --version without loading dist/ at all', () => {
    const bin = readFileSync(path.join(ROOT, 'bin', 'dagger-explore.js'), 'utf8')
    const fast = bin.slice(bin.indexOf("'--version'"), bin.indexOf('} else {'))
    expect(fast).toContain('package.json')
    expect(fast).not.toContain('dist/')
  })
})
