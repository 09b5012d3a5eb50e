// Bundles bench.ts with esbuild (the sources use NodeNext `.js` imports) and runs it with this Node.
// Usage: npx node bench/registry/run.mjs   (needs the test lab: bash test/lab/up.sh, and a Docker Engine)
import {build} from 'esbuild'
import {rmSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const file = path.join(here, '.bench-bundle.mjs')
try {
  await build({
    entryPoints: [path.join(here, 'bench.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    define: {'import.meta.url': JSON.stringify(pathToFileURL(path.join(here, 'bench.ts')).href)},
    logLevel: 'warning',
  })
  await import(pathToFileURL(file).href)
} finally {
  rmSync(file, {force: true})
}
