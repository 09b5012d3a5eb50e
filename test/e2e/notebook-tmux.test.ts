import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {fakeCheckout} from '../helpers/checkout.js'
import {BIN} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {Tmux} from '../helpers/tmux.js'

let tmux: Tmux | undefined
afterEach(async () => {
  await tmux?.kill()
  tmux = undefined
})

describe.skipIf(skipWithoutDocker())('the real binary in a terminal', () => {
  it('opens, runs Environment, takes a note, quits, and leaves the notes on disk', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-e2e-'))
    tmux = await Tmux.start([process.execPath, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols: 100, rows: 30, env: {CI: '', TERM: 'xterm-256color'}})
    // A first start opens the guided run: the intro, then Enter runs Environment.
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('Enter')
    await tmux.waitFor((s) => /(PASS|WARN|FAIL): ran at/.test(s) && /Environment\s+(PASS|WARN)/.test(s))
    await tmux.waitFor((s) => s.includes('Enter continues to Docker daemon'))
    await tmux.keys('e')
    await tmux.waitFor((s) => s.includes('Note for Environment'))
    await tmux.text('tried it under tmux')
    await tmux.keys('Enter')
    await tmux.text('second line')
    await tmux.keys('C-d')
    await tmux.waitFor((s) => s.includes('Note saved.'))
    await tmux.keys('q')
    const end = await tmux.waitFor((s) => s.includes('Notes saved to'))
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    expect(end).toContain(file)
    expect(await tmux.exitStatus()).toBe(0)
    const text = await readFile(path.join(notesDir, file!), 'utf8')
    expect(text).toContain('## Environment')
    expect(text).toMatch(/Ran at \S+ for [\d.]+ (ms|s), exit 0/)
    expect(text).toContain('> tried it under tmux\n> second line')
    expect(text).toMatch(/Session ended at /)
    expect(text).not.toContain('\u001B')
  })

  it('Ctrl-C quits at once, exits 130 and finishes the log', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-e2e-'))
    tmux = await Tmux.start([process.execPath, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {env: {CI: ''}})
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('C-c')
    await tmux.waitFor((s) => s.includes('Notes saved to'))
    expect(await tmux.exitStatus()).toBe(130)
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    expect(await readFile(path.join(notesDir, file!), 'utf8')).toMatch(/Session interrupted \(Ctrl-C\)/)
  })

  it('fits an 80x24 terminal', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-e2e-'))
    tmux = await Tmux.start([process.execPath, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols: 80, rows: 24, env: {CI: ''}})
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('Enter')
    const screen = await tmux.waitFor((s) => /ran at/.test(s))
    // The header stays on screen: the frame never scrolled the terminal.
    expect(screen.split('\n')[0]).toContain('dagger-explore')
    expect(screen).toContain('q quit')
    await tmux.keys('q')
  })

  it('uses a 200-column terminal without breaking its layout', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-e2e-'))
    tmux = await Tmux.start([process.execPath, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols: 200, rows: 50, env: {CI: ''}})
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('Enter')
    const screen = await tmux.waitFor((s) => /ran at/.test(s))
    const lines = screen.split('\n')
    expect(lines[0]).toContain('dagger-explore')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(200)
    // Wide enough that a finding's title sits on one row next to the rail.
    expect(screen).toMatch(/^.{20,30}(✓ PASS|! WARN|✗ FAIL) .+$/m)
    await tmux.keys('q')
  })
})
