import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {NODE} from '../helpers/tmux.js'

describe('the alternate screen on a crash', () => {
  it.each([
    ['an uncaught error', "setTimeout(() => { throw new Error('boom') }, 0)"],
    ['an unhandled rejection', "void Promise.reject(new Error('boom'))"],
  ])('is left on %s before Node prints it', async (_, crash) => {
    const script = `
      const {restoreScreenOnCrash} = await import(${JSON.stringify(new URL('../../src/ui/layout/screen.ts', import.meta.url).href)})
      restoreScreenOnCrash(process.stdout)
      ${crash}
    `
    const r = await execa(NODE, ['--experimental-strip-types', '--input-type=module', '-e', script], {reject: false, env: {NODE_NO_WARNINGS: '1'}})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe('\u001B[?1049l\u001B[?25h')
    expect(r.stderr).toContain('boom')
  })
})
