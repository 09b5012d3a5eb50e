import {readFileSync} from 'node:fs'
import type {ExplainCategory} from '../../src/core/explain/categories.js'
import {classifyStatement} from '../../src/core/explain/classify.js'

export interface LabelledLine {
  readonly category: ExplainCategory
  readonly text: string
}

/** The labelled error lines of fixtures/journey-errors.tsv (`category<TAB>text`; `#` lines are comments). */
export function journeyLines(): LabelledLine[] {
  const file = new URL('./fixtures/journey-errors.tsv', import.meta.url)
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const tab = l.indexOf('\t')
      return {category: l.slice(0, tab) as ExplainCategory, text: l.slice(tab + 1)}
    })
}

/** Share of lines classified as labelled, and the misses. */
export function score(lines: readonly LabelledLine[]): {right: number; total: number; misses: {want: string; got: string; text: string}[]} {
  const misses = lines.flatMap((l) => {
    const got = classifyStatement(l.text)?.category ?? 'none'
    return got === l.category ? [] : [{want: l.category, got, text: l.text}]
  })
  return {right: lines.length - misses.length, total: lines.length, misses}
}
