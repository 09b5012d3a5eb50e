import {readFileSync} from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

// Every shell script in the repository, found by name or by its #! line, so a new one is covered
// without editing this list.
async function shellScripts(): Promise<string[]> {
  const listed = await execa('git', ['ls-files', '-z'], {cwd: ROOT})
  return listed.stdout
    .split('\0')
    .filter(Boolean)
    .filter((file) => {
      if (file.endsWith('.sh')) return true
      try {
        const head = readFileSync(path.join(ROOT, file), {encoding: 'utf8', flag: 'r'}).slice(0, 64)
        return /^#!\s*(\/usr)?\/bin\/(env\s+)?(ba|da)?sh\b/.test(head)
      } catch {
        return false
      }
    })
}

describe('shell scripts', () => {
  it('are shellcheck-clean (Debian shellcheck, installed by the lab)', async () => {
    const files = await shellScripts()
    expect(files).toContain('test/lab/up.sh')
    expect(files).toContain('.ci/run')
    const run = await execa('shellcheck', ['--external-sources', ...files], {cwd: ROOT, reject: false, timeout: 60_000})
    expect(run.failed && run.exitCode === undefined ? `shellcheck did not run: ${run.message}` : '').toBe('')
    expect(run.stdout + run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
  })
})
