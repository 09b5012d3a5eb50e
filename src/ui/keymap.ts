import type {Key} from 'ink'

export type Mode = 'browse' | 'note' | 'help' | 'confirm' | 'recipe' | 'build' | 'tree'

export type Action =
  | 'up'
  | 'down'
  | 'run'
  | 'rerun'
  | 'note'
  | 'help'
  | 'quit'
  | 'scrollDown'
  | 'scrollUp'
  | 'saveNote'
  | 'cancel'
  | 'approve'
  | 'decline'
  | 'recipe'
  | 'open'
  | 'stopGuide'

export interface Binding {
  readonly action: Action
  /** How the keys are written in the footer and the help overlay. */
  readonly keys: string
  readonly description: string
  /** The footer's word for it; the footer must fit 80 columns. */
  readonly short: string
  readonly mode: Mode
  /** Shown in the footer hint line (the rest only in the help overlay). */
  readonly hint: boolean
  readonly match: (input: string, key: Key) => boolean
}

/** The one keymap: input handling, the footer hint line and the `?` overlay all read it. */
export const KEYMAP: readonly Binding[] = [
  {action: 'up', keys: '↑/k', description: 'previous cell', short: 'up', mode: 'browse', hint: true, match: (i, k) => k.upArrow || i === 'k'},
  {action: 'down', keys: '↓/j', description: 'next cell', short: 'down', mode: 'browse', hint: true, match: (i, k) => k.downArrow || i === 'j'},
  {action: 'run', keys: 'Enter', description: 'run the cell', short: 'run', mode: 'browse', hint: true, match: (_, k) => k.return},
  {action: 'rerun', keys: 'r', description: 're-run the cell', short: 're-run', mode: 'browse', hint: true, match: (i) => i === 'r'},
  {action: 'note', keys: 'n', description: 'add a note to the cell', short: 'note', mode: 'browse', hint: true, match: (i) => i === 'n'},
  {action: 'open', keys: 'o', description: "open the cell's own view (the build's live output, the engine filetree)", short: 'open', mode: 'browse', hint: false, match: (i) => i === 'o'},
  {action: 'recipe', keys: 'R', description: "open the recipe of the cell's finding", short: 'recipe', mode: 'browse', hint: false, match: (i) => i === 'R'},
  {action: 'stopGuide', keys: 'Esc', description: 'stop the guided run and look around freely', short: 'explore', mode: 'browse', hint: false, match: (_, k) => k.escape},
  {action: 'scrollDown', keys: 'PgDn/Space', description: 'scroll the cell down', short: 'scroll', mode: 'browse', hint: false, match: (i, k) => k.pageDown || i === ' '},
  {action: 'scrollUp', keys: 'PgUp/b', description: 'scroll the cell up', short: 'scroll', mode: 'browse', hint: false, match: (i, k) => k.pageUp || i === 'b'},
  {action: 'help', keys: '?', description: 'show or hide key help', short: 'help', mode: 'browse', hint: true, match: (i) => i === '?'},
  {action: 'quit', keys: 'q', description: 'quit (the notes are saved)', short: 'quit', mode: 'browse', hint: true, match: (i) => i === 'q'},
  {action: 'saveNote', keys: 'Ctrl-D', description: 'save the note', short: 'save', mode: 'note', hint: true, match: (i, k) => k.ctrl && (i === 'd' || i === 's')},
  {action: 'cancel', keys: 'Esc', description: 'discard the note', short: 'discard', mode: 'note', hint: true, match: (_, k) => k.escape},
  {action: 'approve', keys: 'y', description: 'run the step shown', short: 'run it', mode: 'confirm', hint: true, match: (i) => i === 'y' || i === 'Y'},
  {action: 'decline', keys: 'n/Esc', description: 'do not run it', short: 'cancel', mode: 'confirm', hint: true, match: (i, k) => i === 'n' || i === 'N' || k.escape},
  {action: 'cancel', keys: 'Esc/?/q', description: 'close help', short: 'close', mode: 'help', hint: true, match: (i, k) => k.escape || i === '?' || i === 'q'},
]

export function actionFor(mode: Mode, input: string, key: Key): Action | undefined {
  return KEYMAP.find((b) => b.mode === mode && b.match(input, key))?.action
}

export function hintLine(mode: Mode): string {
  const hints = KEYMAP.filter((b) => b.mode === mode && b.hint).map((b) => `${b.keys} ${b.short}`)
  return `${hints.join('  ')}${mode === 'note' ? '  Enter new line' : ''}`
}

/**
Splits a chunk of typed text into single keystrokes. Ink hands a run of plain characters over as one
input (paste semantics), so a fast typist or a busy terminal can deliver "j\r" or "text\u0004" at
once; each character must still act as its own key.
*/
export function keystrokes(input: string, key: Key): Array<{input: string; key: Key}> {
  if (input.length <= 1 || input.includes('\u001B')) return [{input, key}]
  const none: Key = {...key, return: false, backspace: false, delete: false, ctrl: false, tab: false, escape: false}
  return [...input].map((ch) => {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '\r' || ch === '\n') return {input: '', key: {...none, return: true}}
    if (ch === '\u007F' || ch === '\b') return {input: '', key: {...none, backspace: true}}
    if (ch === '\t') return {input: '', key: {...none, tab: true}}
    if (code > 0 && code < 27) return {input: String.fromCodePoint(code + 96), key: {...none, ctrl: true}}
    return {input: ch, key: none}
  })
}
