import {describe, expect, it} from 'vitest'
import {findingJson} from '../../src/core/present/finding-json.js'
import {findingLines} from '../../src/core/present/finding-lines.js'
import {renderCellPlain} from '../../src/cli/render-plain.js'
import type {CellResult, Finding} from '../../src/core/types.js'

const findings: Finding[] = [
  {id: 'a', status: 'pass', title: 'Socket found', fix: 'nothing'},
  {id: 'b', status: 'fail', title: 'runc missing', detail: 'not in /usr/local/bin', fix: 'Rebuild the engine image', recipe: 'dev-shell'},
  {id: 'c', status: 'warn', title: 'buildctl missing', detail: 'not in /usr/bin', fix: 'Rebuild  the engine\nimage', docs: 'https://docs.dagger.io'},
]

describe('findingLines: the subcommands print findings the way check does', () => {
  it('mark and title for every finding; why, fix, recipe and docs for problems; a repeated fix once', () => {
    expect(findingLines(findings, {color: false})).toEqual([
      '  ✓ PASS Socket found',
      '  ✗ FAIL runc missing',
      '      Why: not in /usr/local/bin',
      '      Fix: Rebuild the engine image',
      '      Recipe: dagger-explore recipe dev-shell',
      '  ! WARN buildctl missing',
      '      Why: not in /usr/bin',
      '      Fix: same as "runc missing" above',
      '      Docs: https://docs.dagger.io',
    ])
  })

  it('is exactly the finding part of check\'s plain output, and takes a prefix (daemon.json line and column)', () => {
    const result: CellResult = {cell: 'components', title: 'Components', status: 'fail', startedAt: '2026-12-02T00:00:00.000Z', durationMs: 5, findings, facts: [], commands: []}
    const plain = renderCellPlain(result, {color: false}).trimEnd().split('\n').slice(1)
    expect(plain).toEqual(findingLines(findings, {color: false}))
    expect(findingLines([findings[1] as Finding], {color: false, prefix: () => 'line 3, column 5: '})[0]).toBe('  ✗ FAIL line 3, column 5: runc missing')
    expect(findingLines([findings[1] as Finding], {color: true})[0]).toBe('  \u001B[31m✗ FAIL\u001B[39m runc missing')
  })
})

describe('findingJson: one shape in every --json', () => {
  it('every key present, null when absent, texts cleaned; placed findings add key, line and column', () => {
    expect(findingJson({id: 'x', status: 'warn', title: 'a\u001B]52;c;ZXZpbA==\u0007b'})).toEqual({id: 'x', status: 'warn', title: 'ab', detail: null, fix: null, docs: null, recipe: null})
    expect(Object.keys(findingJson({id: 'x', status: 'fail', title: 't', key: 'mtu', line: 2}, {placed: true}))).toEqual(['id', 'status', 'key', 'line', 'column', 'title', 'detail', 'fix', 'docs', 'recipe'])
    expect(findingJson({id: 'x', status: 'fail', title: 't', key: 'mtu', line: 2}, {placed: true})).toMatchObject({key: 'mtu', line: 2, column: null})
  })
})
