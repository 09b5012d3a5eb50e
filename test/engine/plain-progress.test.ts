import {copyFileSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {saveImage} from './fixtures/engine-image.js'
import {cli} from '../helpers/cli.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_GO_DIR, makeCheckout} from './fixtures/checkout.js'
import {docker, type EngineLab, makeLab} from './lab.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

describe.skipIf(skip)('a slow engine start in plain mode, through the built binary', () => {
  let lab: EngineLab
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(() => lab?.cleanup())

  it('prints what it waits for with elapsed, limit and the last log line on stderr, and logs the polls once', async () => {
    // An engine that logs one line and answers only after ~7 s.
    const container = lab.docker(['create', '--name', `${lab.id}-slow`, lab.imageId])
    const slow = docker(['commit', '--change', 'ENTRYPOINT ["/bin/sh", "-c", "echo \\"level=info msg=\\\\\\"warming the cache\\\\\\"\\"; sleep 7; exec /usr/local/bin/dagger-entrypoint.sh \\"$@\\"", "sh"]', container, `${lab.id}/engine:slow`])
    const fixture = makeCheckout('internal-mage', lab.engineTar, {parent: lab.dir})
    mkdirSync(path.join(fixture.root, 'bin'), {recursive: true})
    saveImage(slow, path.join(lab.dir, 'slow.tar'))
    copyFileSync(path.join(lab.dir, 'slow.tar'), path.join(fixture.root, 'bin', 'engine.tar'))
    const notes = path.join(lab.dir, 'notes')
    const r = await cli(['check', 'launch', '--plain', '--yes', '--dagger-src', fixture.root, '--notes-dir', notes], {env: lab.env([FAKE_GO_DIR]), timeout: 90_000})
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('  … '))
    expect(progress.length).toBeGreaterThanOrEqual(1)
    expect(progress.length).toBeLessThanOrEqual(2)
    expect(progress[0]).toMatch(new RegExp(`^  … waiting for ${lab.devName.replace(/\./g, '\\.')} to answer \`buildctl dial-stdio\`: \\d s of 60 s, last log line "level=info msg="warming the cache""$`))
    // Ready either way: dial-stdio answered, or (on a loaded machine, when the probe right after the log line timed out) the line itself.
    expect(r.stdout).toMatch(/answers (?:through buildctl dial-stdio|\(readiness log line\)) after [6-9]\.\d s/)
    const log = readFileSync(path.join(notes, readdirSync(notes).find((f) => f.endsWith('.md'))!), 'utf8')
    // The wait's inspections are one line with a count, the same on stdout and in the log.
    const poll = `GET /containers/${lab.devName.replace(/\./g, '\\.')}/json  ×\\d+ over \\d+\\.\\d s, the same answer each time`
    expect(r.stdout.match(new RegExp(`^    API ${poll} \\(exit 0\\)$`, 'gm'))).toHaveLength(1)
    expect(log.match(new RegExp(`# Docker API: ${poll}\nState\\.Status: running\n`, 'g'))).toHaveLength(1)

    // --json: the same wait is one recorded call carrying its count and span.
    docker(['rm', '-fv', lab.devName])
    const j = await cli(['check', 'launch', '--json', '--yes', '--dagger-src', fixture.root, '--notes-dir', notes], {env: lab.env([FAKE_GO_DIR]), timeout: 90_000})
    const cell = JSON.parse(j.stdout.trim().split('\n').at(-1)!) as {commands: {argv: string[]; count: number; overSeconds: number | null; output: string}[]}
    const inspections = cell.commands.filter((c) => c.argv.join(' ') === `GET /containers/${lab.devName}/json` && c.count > 1)
    expect(inspections).toHaveLength(1)
    expect(inspections[0]).toMatchObject({output: 'State.Status: running', firstOutput: null})
    expect(inspections[0]!.count).toBeGreaterThanOrEqual(2)
    expect(inspections[0]!.overSeconds).toBeGreaterThanOrEqual(2)

    // engine start runs the same cell in a session: the same progress line on stderr while it waits.
    const env = lab.env([FAKE_GO_DIR])
    const started = await cli(['engine', 'start', '--yes', '--dagger-src', fixture.root, '--notes-dir', notes], {env, timeout: 90_000})
    // No build ran here, so there is no bin/dagger to check against the engine: that alone fails (exit 1).
    expect(started.stdout).toMatch(/answers (?:through buildctl dial-stdio|\(readiness log line\)) after [6-9]\.\d s/)
    expect(started.stdout).toContain('bin/dagger version failed against the new engine')
    expect(started.exitCode, started.stdout).toBe(1)
    expect(started.stderr).toMatch(/^  … waiting for \S+ to answer `buildctl dial-stdio`: \d s of 60 s/m)
    // Ctrl-C during that wait ends it at once with 130, and the session log says it was interrupted.
    const cutNotes = path.join(lab.dir, 'cut-notes')
    const pending = cli(['engine', 'start', '--yes', '--dagger-src', fixture.root, '--notes-dir', cutNotes], {env, timeout: 90_000})
    let killedAt = 0
    pending.stderr?.on('data', (chunk: Buffer) => {
      if (killedAt === 0 && chunk.toString().includes('  … waiting for')) {
        killedAt = Date.now()
        pending.kill('SIGINT')
      }
    })
    const cut = await pending
    expect(killedAt).toBeGreaterThan(0)
    expect(cut.exitCode, cut.stderr).toBe(130)
    expect(Date.now() - killedAt).toBeLessThan(2500)
    expect(cut.stderr).toContain(`Interrupted. Notes saved to ${cutNotes}`)
    expect(readFileSync(path.join(cutNotes, readdirSync(cutNotes).find((f) => f.endsWith('.md'))!), 'utf8')).toContain('Session interrupted')
  }, 200_000)
})
