// Bundles the bench (the sources use NodeNext `.js` imports) and runs it with this Node.
// Usage: npx node bench/debugger/run.mjs   (RUNS=5 by default; BINARY=path for another large ELF file)
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {build} from 'esbuild'

const here = path.dirname(fileURLToPath(import.meta.url))
// Inside the package so that the bundle's bare imports (dockerode) resolve from node_modules.
const cache = path.resolve(here, '../../node_modules/.cache')
mkdirSync(cache, {recursive: true})
const out = mkdtempSync(path.join(cache, 'dx-bench-debugger-'))
try {
  const bench = path.join(out, 'bench.mjs')
  await build({bundle: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'warning', entryPoints: [path.join(here, 'bench.ts')], outfile: bench, packages: 'external'})
  await import(pathToFileURL(bench).href)
} finally {
  rmSync(out, {recursive: true, force: true})
}
