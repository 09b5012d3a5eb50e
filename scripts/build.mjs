// Bundles the CLI with esbuild: one file per lazily loaded part, so start-up parses only what the
// chosen command needs (importing ink and react as separate ESM modules costs about twice as much).
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {build} from 'esbuild'
import {EXTERNAL} from './externals.mjs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true})
const result = await build({
  entryPoints: {cli: 'src/cli/entry.ts'},
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  jsx: 'automatic',
  chunkNames: 'chunks/[name]-[hash]',
  external: EXTERNAL,
  define: {__DAGGER_EXPLORE_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"'},
  // Bundled CommonJS dependencies (write-file-atomic among them) expect require, __filename and __dirname.
  banner: {
    js: "import {createRequire as __createRequire} from 'node:module';import {fileURLToPath as __fileURLToPath} from 'node:url';import {dirname as __pathDirname} from 'node:path';const require = __createRequire(import.meta.url);const __filename = __fileURLToPath(import.meta.url);const __dirname = __pathDirname(__filename);",
  },
  legalComments: 'none',
  // Less source to parse at start-up; stack traces are not shown to users anyway.
  minify: true,
  logLevel: 'warning',
  metafile: true,
})
// What each chunk imports, statically or lazily: test/install checks start-up loads only what it needs.
// Not shipped (package.json "files" leaves it out).
writeFileSync(new URL('../dist/meta.json', import.meta.url), JSON.stringify(result.metafile))
