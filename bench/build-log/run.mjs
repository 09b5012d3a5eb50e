// Bundles bench.tsx with esbuild (the sources use NodeNext `.js` imports) and runs it with this Node.
// Usage: npx node bench/build-log/run.mjs   (BENCH_LINES, BENCH_ROUNDS to change the size)
import {build} from 'esbuild'
import {rmSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

// The app ships React's production build; measure that, not the development one.
process.env.NODE_ENV ??= 'production'
const here = path.dirname(fileURLToPath(import.meta.url))
const file = path.join(here, '.bench-bundle.mjs')
try {
  await build({
    entryPoints: [path.join(here, 'bench.tsx')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    jsx: 'automatic',
    packages: 'external',
    define: {'process.env.NODE_ENV': '"production"', 'import.meta.url': JSON.stringify(pathToFileURL(path.join(here, 'bench.tsx')).href)},
    logLevel: 'warning',
  })
  await import(pathToFileURL(file).href)
} finally {
  rmSync(file, {force: true})
}
