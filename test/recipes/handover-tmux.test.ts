import {execFileSync} from 'node:child_process'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest'
import {BIN} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {Tmux} from '../helpers/tmux.js'
import type {Tmux as TmuxType} from '../helpers/tmux.js'
import {buildDlvImage, buildEngineImage, removeContainers, removeImages, startEngine, uniquePrefix} from './fixtures.js'

// The built binary (npm test builds it); DXR_RECIPE_BIN points at another build while developing.
const bin = process.env.DXR_RECIPE_BIN ?? BIN
let tmux: Tmux | undefined
const temps: string[] = []
afterEach(async () => {
  await tmux?.kill()
  tmux = undefined
  for (const dir of temps.splice(0)) await rm(dir, {recursive: true, force: true})
})

/** A temp dir removed after the test, pass or fail. */
async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), name))
  temps.push(dir)
  return dir
}

function hasReadelf(): boolean {
  try {
    execFileSync('readelf', ['--version'], {stdio: 'pipe'})
    return true
  } catch {
    return false
  }
}

/**
Runs the CLI under sh so that its exit code is printed on the screen when it ends: tmux 3.3 sometimes
marks the pane dead without ever filling in its exit status.
*/
function shell(args: readonly string[]): string[] {
  // The trap keeps this wrapper alive through a Ctrl-C (a handler, unlike an ignore, is not inherited).
  return ['sh', '-c', 'trap "echo" INT; "$0" "$@"; echo "exited=$?"', process.execPath, bin, ...args]
}

async function exitCode(t: TmuxType): Promise<number> {
  const screen = await t.waitFor((s) => /exited=\d+/.test(s), 15_000)
  return Number(/exited=(\d+)/.exec(screen)?.[1])
}

describe('terminal hand-over under tmux', () => {
  test('dev-shell hands the terminal to a shell with the dev engine environment, and takes it back', async () => {
    const notesDir = await tempDir('dxr-handover-')
    tmux = await Tmux.start(
      shell(['recipe', 'dev-shell', '--run', '--yes', '--step', 'shell', '--no-detect', '--var', `dagger_src=${notesDir}`, '--var', 'shell=/bin/sh', '--notes-dir', notesDir]),
      {cols: 120, rows: 40, env: {CI: '', PS1: 'devshell$ '}},
    )
    await tmux.waitFor((s) => s.includes('dev shell: dagger is') && s.includes('devshell$'))
    await tmux.text('echo "host=$_EXPERIMENTAL_DAGGER_RUNNER_HOST pwd=$(pwd)"')
    await tmux.keys('Enter')
    await tmux.waitFor((s) => s.includes(`host=docker-container://dagger-engine.dev pwd=${notesDir}`))
    await tmux.text('exit')
    await tmux.keys('Enter')
    const back = await tmux.waitFor((s) => s.includes('Session log:'))
    expect(back).toContain('Back in dagger-explore.')
    expect(await exitCode(tmux)).toBe(0)
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    expect(await readFile(path.join(notesDir, file!), 'utf8')).toContain('the terminal was handed over')
  })

  test('without --yes it asks first in a terminal; Ctrl-C inside the shell belongs to the shell, not to dagger-explore', async () => {
    const notesDir = await tempDir('dxr-handover-')
    tmux = await Tmux.start(shell(['recipe', 'dev-shell', '--run', '--step', 'shell', '--no-detect', '--var', `dagger_src=${notesDir}`, '--var', 'shell=/bin/sh', '--notes-dir', notesDir]), {
      cols: 120,
      rows: 40,
      env: {CI: '', PS1: 'devshell$ '},
    })
    await tmux.waitFor((s) => s.includes('Run this? [y/N/q]'))
    await tmux.text('y')
    await tmux.keys('Enter')
    await tmux.waitFor((s) => s.includes('devshell$'))
    await tmux.keys('C-c')
    await tmux.text('echo still-here')
    await tmux.keys('Enter')
    await tmux.waitFor((s) => s.includes('still-here\n'))
    await tmux.text('exit')
    await tmux.keys('Enter')
    const back = await tmux.waitFor((s) => s.includes('Session log:'))
    expect(back).toContain('Back in dagger-explore.')
    expect(await exitCode(tmux)).toBe(0)
  })

  test('Ctrl-C during a handed-over step stops that step, not dagger-explore', async () => {
    // A fake checkout whose ./hack/dev is a long build: the registry-eof recipe's rebuild step runs it.
    const src = await tempDir('dxr-handover-src-')
    await mkdir(path.join(src, 'hack'))
    await writeFile(path.join(src, 'hack', 'dev'), '#!/bin/sh\necho "building the engine..."\nsleep 60\n', {mode: 0o755})
    tmux = await Tmux.start(shell(['recipe', 'registry-eof', '--run', '--yes', '--step', 'rebuild', '--no-detect', '--var', `dagger_src=${src}`, '--notes-dir', src]), {cols: 120, rows: 40, env: {CI: ''}})
    await tmux.waitFor((s) => s.includes('building the engine...'))
    await tmux.keys('C-c')
    const back = await tmux.waitFor((s) => /exited=\d+/.test(s))
    expect(back).toContain('Back in dagger-explore.')
    expect(back).toContain('Step rebuild failed')
    expect(back).toContain('exit 130')
    expect(back).toContain('Session log:')
    expect(await exitCode(tmux)).toBe(1)
  })

  describe.skipIf(skipWithoutDocker())('debugger-attach', () => {
    const prefix = uniquePrefix('tmux')
    const engine = `${prefix}-engine`
    const images: string[] = []
    // Named explicitly: another suite's fixture Delve image may be on the daemon (and removed) meanwhile.
    const ownDlv = () => ['--var', `dlv_image=${prefix}/dlv:latest`, '--var', 'dlv_path=/usr/local/bin/dlv']
    beforeAll(async () => {
      const image = await buildEngineImage(prefix, {symtab: true, dwarf: 'plain', go: true})
      images.push(image, await buildDlvImage(prefix))
      startEngine(image, engine, 'init')
    })
    afterAll(() => {
      removeContainers([engine])
      removeImages(images)
    })

    test('the whole recipe runs in order: checks, the optional branches skipped, then the attach', async () => {
      const notesDir = await tempDir('dxr-handover-')
      tmux = await Tmux.start(shell(['recipe', 'debugger-attach', '--run', '--yes', '--var', `engine_container=${engine}`, ...ownDlv(), '--notes-dir', notesDir]), {cols: 160, rows: 80, env: {CI: ''}})
      const attached = await tmux.waitFor((s) => s.includes('(dlv)'), 30_000)
      expect(attached).toMatch(/▶ engine-running[\s\S]*running pid=\d+[\s\S]*▶ engine-processes[\s\S]*▶ sections/)
      // readelf's listing of the unstripped fixture, or the step says readelf is missing and the run goes on.
      expect(attached).toMatch(hasReadelf() ? /\.symtab/ : /readelf is not installed/)
      expect(attached).toContain('▷ build-unstripped: If it is stripped: build an unstripped engine and restart on it (optional, skipped: run it with --step build-unstripped)')
      await tmux.text('quit')
      await tmux.keys('Enter')
      const end = await tmux.waitFor((s) => /exited=\d+/.test(s), 30_000)
      expect(end).toContain('▷ sigquit')
      expect(await exitCode(tmux)).toBe(0)
    })

    test('recipe debugger-attach --run --yes hands the terminal to the debugger and takes it back', async () => {
      const notesDir = await tempDir('dxr-handover-')
      tmux = await Tmux.start(shell(['recipe', 'debugger-attach', '--run', '--yes', '--step', 'attach', '--var', `engine_container=${engine}`, ...ownDlv(), '--notes-dir', notesDir]), {
        cols: 120,
        rows: 40,
        env: {CI: ''},
      })
      const attached = await tmux.waitFor((s) => s.includes('(dlv)'), 30_000)
      const pid = /dlv stand-in: attach (\d+)/.exec(attached)?.[1]
      expect(pid).toBeDefined()
      expect(pid).not.toBe('1')
      expect(attached).toContain(`sees pid ${pid}: /usr/local/bin/dagger-engine --debug`)
      expect(attached).toContain('Handing the terminal to docker')
      // The debugger owns the terminal: what is typed goes to it.
      await tmux.text('goroutines')
      await tmux.keys('Enter')
      const back = await tmux.waitFor((s) => s.includes('Session log:'), 30_000)
      expect(back).toContain('dlv stand-in got: goroutines')
      expect(back).toContain('Back in dagger-explore.')
      expect(await exitCode(tmux)).toBe(0)
      const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
      const log = await readFile(path.join(notesDir, file!), 'utf8')
      expect(log).toContain(`--pid=container:${engine}`)
      expect(log).toContain('the terminal was handed over')
    })
  })
})
