import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import type {CellDefinition} from '../../src/cells/cell.js'
import {defaultSettings} from '../../src/cells/context.js'
import type {CellEntry} from '../../src/cells/registry.js'
import {Session} from '../../src/cells/session.js'
import type {CellId} from '../../src/core/types.js'
import {skipWithoutDocker} from '../helpers/docker.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const OUT = path.join(ROOT, 'test/cells/.generated')

/** The README's example cell, with its imports pointed from src/cells/ to here and its id declared as step 1 says. */
async function exampleCell(): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8')
  const block = /<!-- example-cell:[^>]*-->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  if (block === undefined) throw new Error('README.md has no example-cell block')
  const code = block.replace(/from '\.\/(.*?)'/g, "from '../../../src/cells/$1'").replace(/from '\.\.\/core\/(.*?)'/g, "from '../../../src/core/$1'")
  return `${code}\n\n// Step 1 of the README, as a module augmentation so the example compiles without changing src.\ndeclare module '../../../src/core/types.js' {\n  interface CellDataMap {\n    readonly images: {readonly bytes: number}\n  }\n}\n`
}

afterAll(() => rm(OUT, {recursive: true, force: true}))

describe('the README contributor example cell', () => {
  it('type-checks as written (strict, against the real CellContext)', async () => {
    await mkdir(OUT, {recursive: true})
    await writeFile(path.join(OUT, 'images.ts'), await exampleCell())
    await writeFile(path.join(OUT, 'tsconfig.json'), JSON.stringify({extends: '../../../tsconfig.json', include: [], files: ['images.ts']}))
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc')
    const result = await promisify(execFile)(tsc, ['--noEmit', '-p', path.join(OUT, 'tsconfig.json')], {cwd: ROOT}).catch((error: {stdout?: string}) => ({stdout: error.stdout ?? String(error)}))
    expect(result.stdout).toBe('')
  }, 120_000)

  it.skipIf(skipWithoutDocker())('runs in a real Session against the daemon, and later cells get its typed data', async () => {
    await mkdir(OUT, {recursive: true})
    await writeFile(path.join(OUT, 'images.ts'), await exampleCell())
    const {imagesCell} = (await import(path.join(OUT, 'images.ts'))) as {imagesCell: CellDefinition}
    const entry: CellEntry = {id: 'images' as CellId, inspects: 'daemon', title: 'Images', summary: "How much room the daemon's images take.", load: async () => imagesCell}
    const notesDir = await mkdtemp(path.join(tmpdir(), 'dx-readme-cell-'))
    try {
      const session = await Session.start({settings: defaultSettings({notesDir, cwd: ROOT}), env: process.env})
      const result = await session.run(entry)
      expect(result.commands.map((c) => c.argv.join(' '))).toContain('GET /images/json')
      expect(result.facts.find((f) => f.label === 'Images')?.value).toMatch(/^\d+ on \S+, \d+\.\d GB$/)
      expect(['images-ok', 'images-large']).toContain(result.findings[0]?.id)
      expect(typeof (result.data as {bytes: number}).bytes).toBe('number')
      expect(session.history(entry.id)).toEqual([result])
      await session.close('finished')
    } finally {
      await rm(notesDir, {recursive: true, force: true})
    }
  })
})
