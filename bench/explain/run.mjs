// Bundles the bench and the explain command (the sources use NodeNext `.js` imports), then runs the
// bench with this Node. Usage: npx node bench/explain/run.mjs   (BENCH_MB=200 RUNS=5 by default)
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {build} from 'esbuild'
import {EXTERNAL} from '../../scripts/externals.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const out = mkdtempSync(path.join(os.tmpdir(), 'dx-bench-explain-bundle-'))
// As in the real build, dockerode's tree stays out of the bundle: explain never loads it, but a lazy
// import of it is reachable from the settings module every command shares.
const common = {bundle: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'warning', external: EXTERNAL}
try {
  // The command behind a minimal entry with real stdin/stdout, as the CLI dispatcher would call it.
  const entrySource = path.join(out, 'entry.ts')
  writeFileSync(
    entrySource,
    `import {main} from ${JSON.stringify(path.join(root, 'src/cli/commands/explain.ts'))}
const io = {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), color: false, interactive: false}
process.exitCode = await main(process.argv.slice(2), io)
`,
  )
  const entry = path.join(out, 'explain.mjs')
  await build({...common, entryPoints: [entrySource], outfile: entry})
  const bench = path.join(out, 'bench.mjs')
  await build({...common, entryPoints: [path.join(here, 'bench.ts')], outfile: bench, packages: 'external'})
  process.env.EXPLAIN_ENTRY = entry
  process.env.EXPLAIN_ROOT = root
  await import(pathToFileURL(bench).href)
} finally {
  rmSync(out, {recursive: true, force: true})
}
