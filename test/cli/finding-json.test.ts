import {describe, expect, it} from 'vitest'
import {findingJson} from '../../src/core/present/finding-json.js'
import {cellJson} from '../../src/cli/render-plain.js'
import type {CellResult} from '../../src/core/types.js'

describe('findingJson: one JSON shape of a finding', () => {
  it('has every key, null when absent, and cleans the texts on the way out', () => {
    const f = findingJson({id: 'x', status: 'fail', title: 'Bad \u001b[31mred\u001b[0m', fix: 'Do it'})
    expect(Object.keys(f)).toEqual(['id', 'status', 'title', 'detail', 'fix', 'docs', 'recipe'])
    expect(f).toEqual({id: 'x', status: 'fail', title: 'Bad red', detail: null, fix: 'Do it', docs: null, recipe: null})
  })

  it('keeps the lint shape of daemon-config --json (plus docs and recipe, as every finding has)', () => {
    expect(Object.keys(findingJson({id: 'k', status: 'warn', title: 't'}, {placed: true}))).toEqual(['id', 'status', 'key', 'line', 'column', 'title', 'detail', 'fix', 'docs', 'recipe'])
  })

  it('is what check --json prints for each finding', () => {
    const result = {cell: 'environment', title: 'Environment', status: 'warn', startedAt: '', durationMs: 1, facts: [], commands: [], findings: [{id: 'a', status: 'warn', title: 'T', detail: 'D', fix: 'F', recipe: 'r'}]} as unknown as CellResult
    expect((cellJson(result).findings as unknown[])[0]).toEqual(findingJson(result.findings[0]!))
  })
})
