import {describe, expect, it} from 'vitest'
import {renderCellPlain} from '../../src/cli/render-plain.js'
import {cellBlocks, fixesShownOnce, OUTPUT_EXCERPT_LINES} from '../../src/core/present/cell-blocks.js'
import {MORE_MARK} from '../../src/core/present/sideways.js'
import {STATUS_STYLE} from '../../src/core/present/status.js'
import {renderSession, type SessionDocument} from '../../src/core/notebook/markdown.js'
import {STATUSES, type CellResult, type Finding} from '../../src/core/types.js'
import {cellLines, type Line} from '../../src/ui/cell-lines.js'
import {wrapLine} from '../../src/ui/wrap.js'

const REGISTRY_FIX = [
  'Docker Hub closed the connection mid-download (EOF). This is usually a rate limit or a flaky link:',
  '1. Log in: `docker login docker.io` (authenticated pulls get a higher limit).',
  '2. Set max-concurrent-downloads back to 3 in /etc/docker/daemon.json.',
  '3. Reload the daemon: `sudo systemctl reload docker`.',
  '4. Or configure a mirror: "registry-mirrors": ["https://mirror.gcr.io"].',
  '5. Run the Registry cell again to confirm.',
  '6. Then build again: `./hack/dev`.',
  'The reset-daemon-config recipe does steps 2 and 3.',
].join('\n')

const registryFinding = (ref: string): Finding => ({id: `registry-eof-${ref}`, status: 'fail', title: `${ref}: EOF at blob on registry-1.docker.io`, detail: 'The blob download closed early.', fix: REGISTRY_FIX, recipe: 'reset-daemon-config'})

const output = Array.from({length: 20}, (_, i) => `output line ${i + 1}`).join('\n')

const result: CellResult = {
  cell: 'registry',
  title: 'Registry',
  status: 'fail',
  startedAt: '2026-11-23T10:11:12.000Z',
  durationMs: 1234,
  facts: [
    {label: 'Registry references', value: 'docker.io/library/golang:1.24-alpine\ndocker.io/library/alpine:3.22'},
    {label: 'tonistiigi/binfmt@sha256:8db0f6dc7a8e1c2f93bb9ca3a3da6d0c1a2b3c4d', value: 'EOF'},
  ],
  findings: [
    {id: 'registry-control', status: 'pass', title: 'Control registry answers', fix: REGISTRY_FIX},
    ...['golang:1.24-alpine', 'alpine:3.22', 'tonistiigi/xx:1.6.1', 'tonistiigi/binfmt', 'gcr.io/distroless/static-debian12'].map(registryFinding),
    {id: 'registry-other', status: 'warn', title: 'A different problem', detail: 'seen', fix: 'Another fix.', docs: 'https://docs.docker.com/registry/'},
  ],
  commands: [{kind: 'exec', argv: ['docker', 'pull', 'alpine:3.22'], exitCode: 1, output, startedAt: '2026-11-23T10:11:12.000Z', durationMs: 900}],
}

const entry = {id: 'registry' as const, title: 'Registry', summary: 'Can the build reach the registries it pulls from?'}
const fixLine = REGISTRY_FIX.split('\n')[0] as string

describe('status vocabulary', () => {
  it('gives every status its own word and its own glyph', () => {
    const words = STATUSES.map((s) => STATUS_STYLE[s].word)
    const glyphs = STATUSES.map((s) => STATUS_STYLE[s].glyph)
    expect(new Set(words).size).toBe(STATUSES.length)
    expect(new Set(glyphs).size).toBe(STATUSES.length)
    expect(words).toEqual(['PASS', 'SKIP', 'WARN', 'FAIL', 'CRASH'])
  })
})

describe('one renderer of a cell result', () => {
  it('orders the blocks findings, facts, commands, notes and cuts output at the same limit everywhere', () => {
    const kinds = cellBlocks(result, ['a note']).map((b) => b.kind)
    expect(kinds).toEqual(['status', ...result.findings.map(() => 'finding'), 'facts', 'command', 'notes'])
    const command = cellBlocks(result).find((b) => b.kind === 'command')
    expect(command).toMatchObject({excerpt: output.split('\n').slice(0, OUTPUT_EXCERPT_LINES), more: 20 - OUTPUT_EXCERPT_LINES})
  })

  it('names the first finding that carried a repeated fix, among problems only', () => {
    const shown = fixesShownOnce(result.findings)
    expect(shown.flatMap((s, i) => (s.sameFixAs === undefined ? [] : [i]))).toEqual([2, 3, 4, 5])
    for (const s of shown) if (s.sameFixAs !== undefined) expect(s.sameFixAs).toBe('golang:1.24-alpine: EOF at blob on registry-1.docker.io')
  })

  // (Moved from the cells' fix-once helper, which rewrote the recorded findings and so reached --json too.)
  it('a repeated "Fix:" sentence in a detail points at the first finding too; the findings themselves keep every fix', () => {
    const fix = 'Check max-concurrent-downloads in the Docker daemon cell (default 3) and reload the daemon.\nIf it stays, Docker Hub may be having an incident.'
    const failure = (i: number): Finding => ({id: `build-failure-${i}`, status: 'fail', title: `failure ${i}: EOF`, detail: `Seen at step ${i}. Fix: retry the pull. Check with: docker pull alpine.`, fix})
    const findings = [failure(1), failure(2), failure(3), {id: 'other', status: 'warn', title: 'other', fix: 'Something else.'} satisfies Finding]
    const out = fixesShownOnce(findings)
    expect(out[0]).toEqual({finding: failure(1)})
    expect(out[1]?.sameFixAs).toBe('failure 1: EOF')
    expect(out[2]?.finding.detail).toBe('Seen at step 3. (Fix: same as "failure 1: EOF" above)')
    expect(out[3]).toEqual({finding: findings[3]})
    expect(out.filter((s) => s.sameFixAs === undefined && s.finding.fix === fix)).toHaveLength(1)
    expect(findings.filter((f) => f.fix === fix)).toHaveLength(3)
    const long = {...failure(4), title: 'x'.repeat(300)}
    expect(fixesShownOnce([long, failure(5)])[1]?.sameFixAs).toBe(long.title)
    expect(renderCellPlain({...result, findings: [long, failure(5)]}, {color: false})).toContain(`Fix: same as "${'x'.repeat(79)}…" above`)
  })

  it('TUI: the repeated Registry fix once, later findings point at it; findings before facts; 12 output lines', () => {
    const text = cellLines(entry, result, ['my note'], false).map((l) => l.text)
    expect(text.filter((t) => t.includes(fixLine))).toHaveLength(1)
    expect(text.filter((t) => t === '    Fix: same as "golang:1.24-alpine: EOF at blob on registry-1.docker.io" above')).toHaveLength(4)
    expect(text).toContain('    Fix: Another fix.')
    expect(text).toContain('    Docs: https://docs.docker.com/registry/')
    const firstFinding = text.findIndex((t) => t.startsWith('✓ PASS Control registry'))
    const firstFact = text.findIndex((t) => t.startsWith('Registry references'))
    expect(firstFinding).toBeGreaterThan(0)
    expect(firstFact).toBeGreaterThan(firstFinding)
    expect(text.filter((t) => /^ {2}output line \d+$/.test(t))).toHaveLength(OUTPUT_EXCERPT_LINES)
    expect(text).toContain(`  … ${20 - OUTPUT_EXCERPT_LINES} more lines in the session log`)
    expect(text.at(-1)).toBe('> my note')
  })

  it('TUI: multi-line fixes and values keep their indent; a long fact label does not push the other values', () => {
    const lines = cellLines(entry, result, [], false)
    const text = lines.map((l) => l.text)
    const fix = text.indexOf(`    Fix: ${fixLine}`)
    expect(text[fix + 1]).toBe(`         ${REGISTRY_FIX.split('\n')[1]}`)
    const col = 'Registry references'.length + 2
    expect(text).toContain(`Registry references  docker.io/library/golang:1.24-alpine`)
    expect(text).toContain(`${' '.repeat(col)}docker.io/library/alpine:3.22`)
    expect(text).toContain(`${' '.repeat(col)}EOF`)
  })

  it('TUI at 20..200 columns: nothing wider than the pane, commands and output cut with the marker and kept whole', () => {
    const raw = cellLines(entry, result, [], false)
    for (let width = 20; width <= 200; width++) {
      const rows = raw.flatMap((l) => wrapLine(l, width))
      for (const r of rows) expect(r.text.length, `${width}: ${r.text}`).toBeLessThanOrEqual(width)
      const argv = rows.find((r) => r.text.startsWith('$ docker pull'))
      expect(argv).toBeDefined()
      if ((argv as Line).text.endsWith(MORE_MARK)) expect((argv as Line).full).toBe('$ docker pull alpine:3.22  (exit 1, 900 ms)')
      // A finding title wrapped under its text, not under the status mark.
      const title = raw.find((l) => l.text.startsWith('✗ FAIL gcr.io')) as Line
      const wrapped = wrapLine(title, width)
      // (A token too wide for the room after the hang moves left to show whole: a row of its own.)
      for (const r of wrapped.slice(1)) expect(r.text.startsWith(' '.repeat(Math.min(7, Math.floor(width / 2)))) || r.full !== undefined || !r.text.trim().includes(' ')).toBe(true)
    }
  })

  it('--plain: the same order, limits and single fix as the TUI', () => {
    const text = renderCellPlain(result, {color: false, verbose: true}).split('\n')
    expect(text[0]).toBe('[FAIL] Registry (1.2 s)')
    expect(text.filter((t) => t.includes(fixLine))).toHaveLength(1)
    expect(text.filter((t) => t === '      Fix: same as "golang:1.24-alpine: EOF at blob on registry-1.docker.io" above')).toHaveLength(4)
    const firstFinding = text.findIndex((t) => t.includes('PASS Control registry'))
    const firstFact = text.findIndex((t) => t.startsWith('    Registry references: '))
    expect(firstFact).toBeGreaterThan(firstFinding)
    expect(text).toContain(`                         docker.io/library/alpine:3.22`)
    expect(text.filter((t) => /^ {6}\| output line \d+$/.test(t))).toHaveLength(OUTPUT_EXCERPT_LINES)
    expect(text).toContain(`      | … ${20 - OUTPUT_EXCERPT_LINES} more lines in the session log`)
  })

  it('markdown: the same single fix, findings before facts, and every output line kept', () => {
    const doc: SessionDocument = {
      header: {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'h', os: 'linux', versions: 'v', dockerEndpoint: 'unix:///var/run/docker.sock'},
      sections: [{id: 'registry', title: 'Registry', result, notes: []}],
      sidecars: new Map(),
    }
    const md = renderSession(doc)
    expect(md.split(fixLine)).toHaveLength(2)
    // The log shows a pass finding's fix too, so there the pass finding is the first that carried it.
    expect(md.split('  - Fix: same as "Control registry answers" above')).toHaveLength(6)
    const section = md.slice(md.indexOf('## Registry'))
    expect(section.indexOf('Findings:')).toBeLessThan(section.indexOf('| What | Value |'))
    expect(md).toContain('output line 20')
  })
})

