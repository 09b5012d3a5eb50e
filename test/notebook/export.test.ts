import {appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {marked} from 'marked'
import {afterAll, describe, expect, it} from 'vitest'
import type {CliIO} from '../../src/cli/io.js'
import {main} from '../../src/cli/main.js'
import {exportSession, resolveSession} from '../../src/core/notebook/export.js'
import {HeadingSlugger, renderSession, type SessionDocument} from '../../src/core/notebook/markdown.js'
import {listSessions, SessionLog} from '../../src/core/notebook/session-log.js'
import type {CellResult, CommandRecord} from '../../src/core/types.js'

const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, {recursive: true, force: true})))
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-export-'))
  temps.push(dir)
  return dir
}

const header = {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'box', os: 'Debian 12', versions: 'dagger-explore 0.1.0', dockerEndpoint: 'unix:///var/run/docker.sock (chosen by default)'}
const cells = [
  {id: 'environment', title: 'Environment'},
  {id: 'daemon', title: 'Docker daemon'},
  {id: 'build', title: 'Build engine'},
] as const

function command(argv: string[], output: string, exitCode = 0): CommandRecord {
  return {kind: 'exec', argv, exitCode, output, startedAt: '2026-11-23T10:11:13.000Z', durationMs: 40}
}

function result(over: Partial<CellResult> = {}): CellResult {
  return {
    cell: 'environment',
    title: 'Environment',
    status: 'warn',
    startedAt: '2026-11-23T10:11:13.000Z',
    durationMs: 1234,
    facts: [{label: 'OS', value: 'Debian 12'}],
    findings: [
      {id: 'ok', status: 'pass', title: 'Docker answers'},
      {id: 'w', status: 'warn', title: 'docker info: IPv4 forwarding is disabled', detail: 'why it matters', fix: 'sysctl it', recipe: 'registry-eof'},
    ],
    commands: [command(['docker', '--version'], 'Docker version 28.2.2\n```\nfence inside')],
    ...over,
  }
}

/**
An independent check of the markdown structure GitHub relies on: every fence closes (CommonMark:
same character, at least as long, no info string), and <details> blocks pair up with the blank
lines that let GitHub render markdown inside them.
*/
function structureProblems(text: string): string[] {
  const problems: string[] = []
  const lines = text.split('\n')
  let open: {fence: string; line: number} | undefined
  let depth = 0
  lines.forEach((line, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line)
    if (open) {
      if (m && m[1]![0] === open.fence[0] && m[1]!.length >= open.fence.length && m[2]!.trim() === '') open = undefined
      return
    }
    if (m) {
      open = {fence: m[1]!, line: i + 1}
      return
    }
    if (line.startsWith('<details>')) {
      depth++
      if (!/<summary>.*<\/summary>$/.test(line)) problems.push(`line ${i + 1}: <details> without a one-line <summary>`)
      if (lines[i + 1] !== '') problems.push(`line ${i + 1}: no blank line after <summary>`)
    }
    if (line === '</details>') {
      depth--
      if (lines[i - 1] !== '') problems.push(`line ${i + 1}: no blank line before </details>`)
      if (depth < 0) problems.push(`line ${i + 1}: </details> without <details>`)
    }
  })
  if (open) problems.push(`fence opened on line ${open.line} never closes`)
  if (depth !== 0) problems.push(`${depth} <details> left open`)
  return problems
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function run(argv: string[], cwd: string): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const io: CliIO = {stdout, stderr, stdin: new PassThrough(), env: {HOME: cwd}, cwd, color: false, interactive: false}
  const code = await main(argv, io)
  return {code, stdout: out, stderr: err}
}

describe('session markdown for GitHub', () => {
  it('gives headings the anchors GitHub gives them', () => {
    const s = new HeadingSlugger()
    expect(s.slug('Docker daemon')).toBe('docker-daemon')
    expect(s.slug('Build engine: v0.19 (dev)!')).toBe('build-engine-v019-dev')
    expect(s.slug('dagger-explore session 2026-11-23 10:11:12 UTC')).toBe('dagger-explore-session-2026-11-23-101112-utc')
    expect(s.slug('snake_case Ünïcode')).toBe('snake_case-ünïcode')
    expect(s.slug('Docker daemon')).toBe('docker-daemon-1')
    expect(s.slug('Docker daemon')).toBe('docker-daemon-2')
  })

  it('puts the findings summary first, then a table of contents linking every cell section', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(result())
    await log.addResult(result({cell: 'daemon', title: 'Docker daemon', status: 'pass', findings: [{id: 'ok', status: 'pass', title: 'Config is fine'}]}))
    await log.addNote('build', 'not run yet, but noted')
    const text = await readFile(log.path, 'utf8')
    const summary = text.indexOf('## Summary')
    const contents = text.indexOf('## Contents')
    const first = text.indexOf('## Environment')
    expect(summary).toBeGreaterThan(0)
    expect(contents).toBeGreaterThan(summary)
    expect(first).toBeGreaterThan(contents)
    expect(text).toContain('- ! **WARN** [Environment](#environment): 1 to look at\n  * ! **WARN** docker info: IPv4 forwarding is disabled (recipe: `registry-eof`)\n')
    expect(text).toContain('- ✓ **PASS** [Docker daemon](#docker-daemon)\n')
    expect(text.slice(contents)).toMatch(/^## Contents\n\n- \[Environment\]\(#environment\)\n- \[Docker daemon\]\(#docker-daemon\)\n- \[Build engine\]\(#build-engine\)\n\n## Environment\n/)
    // Every in-document link points at a heading that exists.
    const slugger = new HeadingSlugger()
    const anchors = new Set(text.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slugger.slug(l.replace(/^#+ /, ''))))
    for (const [, anchor] of text.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors, anchor).toContain(anchor)
    // `notes` still lists one line per cell, not the nested findings.
    const [listed] = await listSessions(dir)
    expect(listed?.summary).toEqual(['! WARN Environment: 1 to look at', '✓ PASS Docker daemon'])
    expect(structureProblems(text)).toEqual([])
  })

  it('keeps raw output collapsible the way GitHub renders it, and never squeezes blank lines inside output', () => {
    const doc: SessionDocument = {
      header,
      sections: [{id: 'environment', title: 'Environment', notes: [], result: result({commands: [command(['printf', 'a\\n\\n\\n\\nb'], 'a\n\n\n\nb')]})}],
      sidecars: new Map(),
    }
    const text = renderSession(doc)
    expect(text).toContain('<details><summary>Commands and output (1)</summary>\n\n```console\n$ printf \'a\\n\\n\\n\\nb\'\na\n\n\n\nb\n```\n\n(exit 0 after 40 ms)\n\n</details>\n')
    expect(text).not.toMatch(/\n\n\n(?!\n*b)/)
    expect(structureProblems(text)).toEqual([])
  })
  it('keeps list items and values intact on GitHub: the skipped glyph is escaped, <none> is not taken for a tag', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(
      result({
        status: 'skipped',
        facts: [{label: 'Image', value: '<none>:<none>'}],
        findings: [{id: 's', status: 'skipped', title: 'Image <none> has no tag', detail: 'Run `docker image ls <none>` to see it', fix: 'Tag it'}],
      }),
    )
    const text = await readFile(log.path, 'utf8')
    expect(text).toContain('- \\- **SKIP** [Environment](#environment)\n')
    expect(text).toContain('- \\- **SKIP** Image \\<none> has no tag\n')
    // Inside a code span the text stays as written (a backslash there would show).
    expect(text).toContain('  - Why: Run `docker image ls <none>` to see it\n')
    expect(text).toContain('| Image | \\<none>:\\<none> |')
    expect(text).not.toMatch(/^- - /m)
    const r = await run(['notes', '--notes-dir', dir], dir)
    expect(r.stdout).toContain('  - SKIP Environment\n')
    const json = await run(['notes', '--notes-dir', dir, '--json'], dir)
    expect((JSON.parse(json.stdout) as {sessions: {summary: string[]}[]}).sessions[0]?.summary).toEqual(['- SKIP Environment'])
  })
})

describe('notes export', () => {
  /** A session with a long output (sidecar via SessionLog), a raw build log linked from the cell, and secrets planted in both. */
  async function sessionWithSidecars(dir: string): Promise<{log: SessionLog; sidecar: string; buildLog: string}> {
    const log = await SessionLog.create(dir, header, cells)
    const long = Array.from({length: 500}, (_, i) => `pull line ${i}`).join('\n')
    await log.addResult(result({commands: [command(['docker', 'pull', 'alpine'], long, 1)]}))
    const sidecar = (await readdir(dir)).find((f) => f.endsWith('.log'))!
    // A secret that reached the sidecar by another route than SessionLog (which redacts what it writes).
    await appendFile(path.join(dir, sidecar), '\nexport DAGGER_CLOUD_TOKEN=dag_plantedsecret123456\nAuthorization: Bearer plantedbearer0987654321\n')
    const buildLog = 'build-20261123T101113.log'
    const lines = Array.from({length: 1000}, (_, i) => (i === 10 ? `#10 login password=hunter2plant \u001B[31mred\u001B[0m` : `#${i} step ${i}`))
    await writeFile(path.join(dir, buildLog), `${lines.join('\n')}\n`)
    await log.addResult(result({cell: 'build', title: 'Build engine', status: 'fail', findings: [{id: 'f', status: 'fail', title: 'The build failed', detail: 'd', fix: 'f'}], commands: [command(['./hack/dev'], '… 1,000 lines; the last ones:\n#999 step 999', 1)], sidecars: [buildLog]}))
    await log.finish('Session ended at now.')
    return {log, sidecar, buildLog}
  }

  it('folds sidecar logs in, trims long ones with a note, redacts again and stays valid markdown', async () => {
    const dir = await tempDir()
    const {log, sidecar, buildLog} = await sessionWithSidecars(dir)
    const original = await readFile(log.path, 'utf8')
    expect(original).toContain(`](${sidecar})`)
    expect(original).toContain(`](${buildLog})`)

    const exported = await exportSession(log.path, {maxSidecarLines: 600, now: new Date('2026-11-23T12:00:00Z')})
    const text = exported.text
    // No link to any sidecar is left: the file stands alone.
    expect(text).not.toMatch(/\]\([^)#]*\.log\)/)
    // The long output is folded in whole (500 lines plus the two planted ones).
    expect(exported.sidecars).toEqual([
      {file: path.join(dir, sidecar), lines: 502, included: true},
      {file: path.join(dir, buildLog), lines: 1000, included: false},
    ])
    expect(text).toContain('pull line 0\npull line 1\n')
    expect(text).toContain('pull line 499')
    expect(text).toContain(`<details><summary>Full output: ${sidecar} (502 lines)</summary>`)
    // The build log is trimmed to 600 lines, head and tail, with a note saying how much and where.
    expect(text).toContain(`Trimmed to 600 of 1,000 lines: 400 lines left out. The full file is \`${path.join(dir, buildLog)}\``)
    expect(text).toContain('#0 step 0')
    expect(text).toContain('#149 step 149\n… 400 lines left out here (lines 151–550) …\n#550 step 550')
    expect(text).not.toContain('#150 step 150')
    expect(text).toContain('#999 step 999\n```')
    // Secrets from every route are redacted, escape sequences gone.
    for (const secret of ['dag_plantedsecret123456', 'plantedbearer0987654321', 'hunter2plant']) expect(text).not.toContain(secret)
    expect(text).toContain('DAGGER_CLOUD_TOKEN=[REDACTED]')
    expect(text).toContain('password=[REDACTED]')
    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/)
    // Still the same document: summary first, sections, closing line, plus the export note.
    expect(text.indexOf('## Summary')).toBeLessThan(text.indexOf('## Contents'))
    expect(text).toContain('## Build engine')
    expect(text).toContain('Session ended at now.')
    // Rendered as GitHub-flavoured markdown: every fence became a code block, every <details> pairs up.
    const html = marked.parse(text, {gfm: true, async: false}) as string
    expect(html).not.toContain('```')
    // Two cells' commands and the two folded logs.
    expect(html.match(/<details>/g)?.length).toBe(4)
    expect(html.match(/<\/details>/g)?.length).toBe(4)
    expect(html).toMatch(/<pre><code class="language-text">pull line 0\n[^<]*pull line 499\n/)
    expect(html).toMatch(/<h2>Build engine<\/h2>/)
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^Exported from `.*-session\.md` at 2026-11-23T12:00:00.000Z by `dagger-explore notes export`: 2 sidecar logs folded in, 1 of them trimmed or missing; secrets redacted again\.$/)
    expect(structureProblems(text)).toEqual([])
  })

  it('says so when a sidecar is gone, and leaves links outside the notes folder as plain words', async () => {
    const dir = await tempDir()
    const {log, sidecar} = await sessionWithSidecars(dir)
    await rm(path.join(dir, sidecar))
    await appendFile(log.path, '\nSee [the daemon config](../../etc/daemon.json) and [docs](https://docs.dagger.io).\n')
    const {text, sidecars} = await exportSession(log.path, {maxSidecarLines: 2000})
    expect(sidecars[0]).toEqual({file: path.join(dir, sidecar), lines: null, included: false})
    expect(sidecars[1]?.included).toBe(true)
    expect(text).toContain(`Sidecar log \`${sidecar}\` could not be read when this file was exported`)
    expect(text).toContain('the daemon config (`../../etc/daemon.json`, not included)')
    expect(text).toContain('[docs](https://docs.dagger.io)')
    expect(structureProblems(text)).toEqual([])
  })

  it('finds a session by file name, by path, or the latest when none is named', async () => {
    const dir = await tempDir()
    const older = await SessionLog.create(dir, {...header, startedAt: new Date('2026-11-22T10:00:00Z')}, cells)
    const newer = await SessionLog.create(dir, header, cells)
    expect(await resolveSession(dir, '/', undefined)).toBe(newer.path)
    expect(await resolveSession(dir, '/', path.basename(older.path))).toBe(older.path)
    expect(await resolveSession(dir, '/', older.base)).toBe(older.path)
    expect(await resolveSession(dir, dir, `./${path.basename(older.path)}`)).toBe(older.path)
    await expect(resolveSession(dir, '/', 'nope')).rejects.toThrow(/There is no session "nope"/)
    await expect(resolveSession(dir, '/', 'nope')).rejects.toThrow(expect.objectContaining({fix: 'Run `dagger-explore notes` to list the saved sessions, then pass a file name or a path.'}))
    await expect(resolveSession(path.join(dir, 'empty'), '/', undefined)).rejects.toThrow(/no saved sessions/)
    await expect(resolveSession(path.join(dir, 'empty'), '/', undefined)).rejects.toThrow(expect.objectContaining({fix: expect.stringMatching(/^Run `dagger-explore` to make one/)}))
  })

  it('CLI: writes the file, prints JSON, refuses to overwrite without --force', async () => {
    const dir = await tempDir()
    const {log, sidecar, buildLog} = await sessionWithSidecars(dir)
    const out = path.join(dir, 'share.md')

    const first = await run(['notes', 'export', '--notes-dir', dir, '--out', 'share.md', '--max-sidecar-lines', '600', '--json'], dir)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual({
      session: log.path,
      out,
      sidecars: [
        {file: path.join(dir, sidecar), lines: 502, included: true},
        {file: path.join(dir, buildLog), lines: 1000, included: false},
      ],
    })
    const written = await readFile(out, 'utf8')
    expect(written).not.toContain('dag_plantedsecret123456')
    expect(structureProblems(written)).toEqual([])

    await writeFile(out, 'mine\n')
    const refused = await run(['notes', 'export', path.basename(log.path), '--notes-dir', dir, '--out', out], dir)
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(/share\.md already exists and was left as it is\.\nFix: Pass --force to replace it/)
    expect(refused.stderr.trim().split('\n')).toHaveLength(2)
    expect(await readFile(out, 'utf8')).toBe('mine\n')

    const forced = await run(['notes', 'export', log.path, '--out', out, '--force', '--max-sidecar-lines', '10'], dir)
    expect(forced.code).toBe(0)
    expect(forced.stdout).toMatch(/^Exported .*-session\.md\n {6}to .*share\.md\nSidecar logs: 0 folded in whole, 2 trimmed or missing/)
    expect(await readFile(out, 'utf8')).toContain('Trimmed to 10 of 502 lines')
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it.each([
    [['notes', 'export'], /notes export needs --out FILE/, /^Name the file, e\.g\. `dagger-explore notes export --out session\.md`\.$/],
    [['notes', 'export', '--out', 'x.md', '--max-sidecar-lines', 'lots'], /--max-sidecar-lines takes a whole number/, /^Pass a number, e\.g\. --max-sidecar-lines 200\.$/],
    [['notes', 'export', 'nope', '--out', 'x.md'], /There is no session "nope"/, /^Run `dagger-explore notes` to list the saved sessions/],
    [['notes', 'export', 'a', 'b', '--out', 'x.md'], /takes one session, not 2/, /^Export one at a time, e\.g\. `dagger-explore notes export a --out session\.md`\.$/],
    [['notes', 'export', '--out', 'no/such/folder/x.md'], /no saved sessions|does not exist/, /^(Run `dagger-explore` to make one|Create it first)/],
    [['notes', '--out', 'x.md'], /--out belongs to `dagger-explore notes export`/, /^Add export before the options/],
    [['notes', 'frob'], /"notes frob" is not known\.$/m, /^Use `dagger-explore notes` to list sessions or `dagger-explore notes export \[SESSION\] --out FILE` to write one to share\.$/],
  ])('CLI: %j exits 2 with one paragraph', async (argv, message, fix) => {
    const dir = await tempDir()
    const r = await run([...argv, '--notes-dir', dir], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    // One paragraph: the message, then what to do on its own "Fix:" line.
    const [said, fixLine, ...more] = r.stderr.trim().split('\n')
    expect(said).toMatch(message)
    expect(fixLine?.replace(/^Fix: /, '')).toMatch(fix)
    expect(fixLine).toMatch(/^Fix: /)
    expect(more).toEqual([])
    expect(r.stdout).toBe('')
  })

  it('CLI: refuses to write over the session log itself, even with --force', async () => {
    const dir = await tempDir()
    const {log} = await sessionWithSidecars(dir)
    const before = await stat(log.path)
    const r = await run(['notes', 'export', '--notes-dir', dir, '--out', log.path, '--force'], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/is the session log itself\.\nFix: Choose another file, so the original stays as it is\./)
    expect((await stat(log.path)).mtimeMs).toBe(before.mtimeMs)
  })
})
