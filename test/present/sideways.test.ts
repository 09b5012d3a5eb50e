import stringWidth from 'string-width'
import stripAnsi from 'strip-ansi'
import {describe, expect, it} from 'vitest'
import {cutRow, LESS_MARK, MORE_MARK, shiftBy, sideways} from '../../src/core/present/sideways.js'

describe('sideways: the one cut of the app', () => {
  const line = 'ERROR: failed to solve: process "/bin/sh -c go build -o /usr/local/bin/dagger-engine ./cmd/engine" did not complete successfully: exit code: 1'

  it('shows every character of a cut line across its windows, marked on the hidden sides', () => {
    for (const width of [20, 33, 60, 80]) {
      const seen = new Set<number>()
      for (let offset = 0; offset <= line.length; offset++) {
        const row = sideways(line, offset, width)
        expect(row.text.length).toBeLessThanOrEqual(width)
        expect(row.full).toBe(line)
        if (offset > 0) expect(row.text.startsWith(LESS_MARK)).toBe(true)
        const body = row.text.replace(LESS_MARK, '').replace(MORE_MARK, '')
        const at = line.indexOf(body, offset === 0 ? 0 : Math.min(offset, line.length - (width - LESS_MARK.length)))
        expect(at).toBeGreaterThanOrEqual(0)
        for (let i = 0; i < body.length; i++) seen.add(at + i)
      }
      expect(seen.size).toBe(line.length)
      // The last window (the views clamp the offset with shiftBy) ends at the line's end, without a marker on the right.
      expect(sideways(line, shiftBy(10_000, 1, width, line.length), width).text.endsWith('exit code: 1')).toBe(true)
    }
  })

  it('leaves a line that fits as it is', () => {
    expect(sideways('short', 0, 20)).toEqual({text: 'short'})
    expect(cutRow('short', 5)).toEqual({text: 'short'})
  })

  it('marks what it cuts on either side with the same marks as the cell pane, and keeps styles', () => {
    expect(sideways('abcdefghij', 0, 5).text).toBe('abc…→')
    expect(sideways('abcdefghij', 3, 5).text).toBe('←…f…→')
    expect(sideways('abcdefghij', 5, 5).text).toBe('←…hij')
    expect(sideways('abc', 0, 5).text).toBe('abc')
    expect(sideways('abc', 9, 5).text).toBe(LESS_MARK)
    expect(cutRow('abcdefghij', 5)).toEqual({text: 'abc…→', full: 'abcdefghij'})
    const red = sideways('\u001B[31mabcdefghij\u001B[39m', 0, 5).text
    expect(stripAnsi(red)).toBe('abc…→')
    expect(red).toContain('\u001B[31m')
    expect(red).toMatch(/\u001B\[39m/)
    const scrolled = sideways('\u001B[31mabcdefghij\u001B[39m', 3, 5).text
    expect(stripAnsi(scrolled)).toBe('←…f…→')
    expect(scrolled).toContain('\u001B[31mf')
  })

  it('counts terminal columns: CJK characters and emoji take two, and one is never split at the edge', () => {
    const cjk = '日本語のテキストです'
    for (let room = 3; room <= 22; room++) {
      for (let offset = 0; offset <= stringWidth(cjk); offset++) {
        const row = sideways(cjk, offset, room)
        expect(stringWidth(row.text), `${room}/${offset}: ${row.text}`).toBeLessThanOrEqual(room)
        expect(row.text).not.toContain('\uFFFD')
      }
    }
    expect(sideways(cjk, 0, 20)).toEqual({text: cjk})
    expect(sideways(cjk, 0, 9).text).toBe('日本語…→')
    expect(sideways(cjk, 0, 8).text).toBe('日本語…→')
    expect(sideways(cjk, 0, 7).text).toBe('日本…→')
    const emoji = 'ok 🐳🐳🐳 done'
    expect(stringWidth(emoji)).toBe(14)
    expect(sideways(emoji, 0, 8).text).toBe('ok 🐳…→')
    expect(sideways(emoji, 0, 9).text).toBe('ok 🐳🐳…→')
    for (let room = 3; room <= 14; room++) for (let offset = 0; offset <= 14; offset++) expect(stringWidth(sideways(emoji, offset, room).text)).toBeLessThanOrEqual(room)
    // The old per-character cut of the cell pane let a CJK line overflow its pane.
    expect(stringWidth(cutRow('漢字'.repeat(10), 10).text)).toBeLessThanOrEqual(10)
  })
})
