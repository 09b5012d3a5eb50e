// Bundles the TypeScript bench with esbuild, then runs it with this Node: `npx node bench/tree/run.mjs [IMAGE]`.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {join, dirname} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = mkdtempSync(join(here, '.out-'))
try {
  await build({entryPoints: [join(here, 'tree-bench.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(out, 'tree-bench.mjs'), logLevel: 'warning'})
  execFileSync(process.execPath, [join(out, 'tree-bench.mjs'), ...process.argv.slice(2)], {stdio: 'inherit'})
} finally {
  rmSync(out, {recursive: true, force: true})
}
