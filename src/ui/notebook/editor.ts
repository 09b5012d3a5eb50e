import type {Key} from 'ink'
import {sanitize} from '../../core/notebook/sanitize.js'

/** A note being written: its text and the cursor as an index into it. */
export interface Draft {
  readonly text: string
  readonly cursor: number
}

export const EMPTY_DRAFT: Draft = {text: '', cursor: 0}

const lineStart = (d: Draft) => d.text.lastIndexOf('\n', d.cursor - 1) + 1
const lineEnd = (d: Draft) => {
  const end = d.text.indexOf('\n', d.cursor)
  return end === -1 ? d.text.length : end
}

/** Where the word before the cursor starts: skip spaces, then the word (readline's Ctrl-W). */
function wordStart(d: Draft): number {
  let i = d.cursor
  while (i > 0 && d.text[i - 1] === ' ') i--
  while (i > 0 && d.text[i - 1] !== ' ' && d.text[i - 1] !== '\n') i--
  return i
}

function cut(d: Draft, from: number, to: number): Draft {
  return {text: d.text.slice(0, from) + d.text.slice(to), cursor: from}
}

/**
One keystroke in the note editor, as a line editor reads it (readline's keys). Returns undefined
for a key it does not use, so the caller can treat it (save, discard) or ignore it.
*/
export function editDraft(d: Draft, input: string, key: Key): Draft | undefined {
  if (key.leftArrow) return {...d, cursor: Math.max(0, d.cursor - 1)}
  if (key.rightArrow) return {...d, cursor: Math.min(d.text.length, d.cursor + 1)}
  if (key.home || (key.ctrl && input === 'a')) return {...d, cursor: lineStart(d)}
  if (key.end || (key.ctrl && input === 'e')) return {...d, cursor: lineEnd(d)}
  if ((key.ctrl && input === 'w') || (key.meta && key.backspace)) return cut(d, wordStart(d), d.cursor)
  if (key.ctrl && input === 'u') return cut(d, lineStart(d), d.cursor)
  if (key.backspace) return d.cursor === 0 ? d : cut(d, d.cursor - 1, d.cursor)
  if (key.delete) return cut(d, d.cursor, Math.min(d.text.length, d.cursor + 1))
  if (key.return) return insert(d, '\n')
  if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown || input === '') return undefined
  return insert(d, sanitize(input))
}

function insert(d: Draft, text: string): Draft {
  return {text: d.text.slice(0, d.cursor) + text + d.text.slice(d.cursor), cursor: d.cursor + text.length}
}

/** The draft as rows with the cursor drawn as a block, for the editor pane. */
export function draftRows(d: Draft): string[] {
  const before = d.text.slice(0, d.cursor)
  const at = d.text[d.cursor]
  // A block at the end of a line, a bar before a character (so no character is hidden under it).
  const marked = `${before}${at === undefined || at === '\n' ? '█' : '▏'}${d.text.slice(d.cursor)}`
  return marked.split('\n')
}
