import type {Key} from 'ink'

/** What the notebook is showing; each mode reads its own keys and no other. */
export type Mode = 'browse' | 'note' | 'help' | 'confirm' | 'recipe' | 'build' | 'tree' | 'summary' | 'search' | 'checkout'

export type Action =
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'pageUp'
  | 'pageDown'
  | 'focus'
  | 'rail'
  | 'pane'
  | 'run'
  | 'continue'
  | 'rerun'
  | 'runAll'
  | 'note'
  | 'open'
  | 'recipe'
  | 'earlier'
  | 'later'
  | 'summary'
  | 'search'
  | 'nextMatch'
  | 'previousMatch'
  | 'back'
  | 'help'
  | 'quit'
  | 'jump'
  | 'saveNote'
  | 'cancel'
  | 'approve'
  | 'decline'
  | 'apply'
  | 'complete'
  | 'clear'

/** What decides whether a key means something right now; the footer shows only those that do. */
export interface KeyContext {
  readonly guide: 'intro' | 'walking' | 'off'
  readonly offer: boolean
  readonly running: boolean
  readonly canOpen: boolean
  readonly canRecipe: boolean
  readonly hasEarlier: boolean
  readonly viewingEarlier: boolean
  readonly query: boolean
  readonly scrollable: boolean
  /** The selected cell has a result (run or declined) on screen. */
  readonly ran: boolean
}

export const IDLE: KeyContext = {guide: 'off', offer: false, running: false, canOpen: false, canRecipe: false, hasEarlier: false, viewingEarlier: false, query: false, scrollable: false, ran: false}

export interface Binding {
  readonly action: Action
  /** How the keys are written in the footer and the help overlay. */
  readonly keys: string
  readonly description: string
  /** The footer's word for it. */
  readonly short: string
  readonly mode: Mode
  /** Shown in the footer when it applies (the rest only in the help overlay). */
  readonly hint: boolean
  readonly when?: (c: KeyContext) => boolean
  /** When the footer names it, if narrower than `when` (a key that works but says the same as another). */
  readonly show?: (c: KeyContext) => boolean
  readonly match: (input: string, key: Key) => boolean
}

const guiding = (c: KeyContext) => c.guide === 'intro' || c.offer
const plain = (i: string, k: Key) => !k.ctrl && !k.meta && i
const is = (ch: string) => (i: string, k: Key) => plain(i, k) === ch
const up = (i: string, k: Key) => k.upArrow || is('k')(i, k)
const down = (i: string, k: Key) => k.downArrow || is('j')(i, k)
const top = (i: string, k: Key) => k.home || is('g')(i, k)
const bottom = (i: string, k: Key) => k.end || is('G')(i, k)
const pageDown = (i: string, k: Key) => k.pageDown || is(' ')(i, k)
const pageUp = (i: string, k: Key) => k.pageUp || is('b')(i, k)

/** The one keymap: input handling, the footer and the `?` overlay all read it. */
export const KEYMAP: readonly Binding[] = [
  {action: 'continue', keys: 'Enter', description: 'continue the guided run', short: 'continue', mode: 'browse', hint: true, when: guiding, match: (_, k) => k.return},
  {action: 'run', keys: 'Enter', description: 'run the cell', short: 'run', mode: 'browse', hint: true, when: (c) => !guiding(c) && !c.running, show: (c) => !c.ran, match: (_, k) => k.return},
  {action: 'up', keys: '↑/k', description: 'previous cell (a line up when the pane has the focus)', short: 'up', mode: 'browse', hint: false, match: up},
  {action: 'down', keys: '↓/j', description: 'next cell (a line down when the pane has the focus)', short: 'down', mode: 'browse', hint: false, match: down},
  {action: 'top', keys: 'g/Home', description: 'first cell, or top of the pane', short: 'top', mode: 'browse', hint: false, match: top},
  {action: 'bottom', keys: 'G/End', description: 'last cell, or bottom of the pane', short: 'end', mode: 'browse', hint: false, match: bottom},
  {action: 'pageDown', keys: 'PgDn/Space', description: 'scroll the pane down a page', short: 'more', mode: 'browse', hint: true, when: (c) => c.scrollable, match: pageDown},
  {action: 'pageUp', keys: 'PgUp/b', description: 'scroll the pane up a page', short: 'back', mode: 'browse', hint: false, match: pageUp},
  {action: 'focus', keys: 'Tab', description: 'move the focus between the cell list and the pane', short: 'pane', mode: 'browse', hint: false, match: (_, k) => k.tab},
  {action: 'rerun', keys: 'r', description: 're-run the cell', short: 're-run', mode: 'browse', hint: true, when: (c) => !c.running && c.guide !== 'intro', show: (c) => c.ran, match: is('r')},
  {action: 'open', keys: 'o', description: "open the cell's own view (the build's live output, the engine filetree)", short: 'open', mode: 'browse', hint: true, when: (c) => c.canOpen, match: is('o')},
  {action: 'recipe', keys: 'R', description: "open the recipe of the cell's finding", short: 'recipe', mode: 'browse', hint: true, when: (c) => c.canRecipe, match: is('R')},
  {action: 'earlier', keys: '[', description: "show the cell's earlier run", short: 'earlier run', mode: 'browse', hint: true, when: (c) => c.hasEarlier, match: is('[')},
  {action: 'later', keys: ']', description: "show the cell's later run", short: 'later run', mode: 'browse', hint: true, when: (c) => c.viewingEarlier, match: is(']')},
  {action: 'rail', keys: 'h/←', description: 'focus the cell list', short: 'list', mode: 'browse', hint: false, match: (i, k) => k.leftArrow || is('h')(i, k)},
  {action: 'pane', keys: 'l/→', description: 'focus the pane', short: 'pane', mode: 'browse', hint: false, match: (i, k) => k.rightArrow || is('l')(i, k)},
  {action: 'note', keys: 'e', description: 'write a note on the cell', short: 'note', mode: 'browse', hint: true, when: (c) => c.guide !== 'intro', match: is('e')},
  {action: 'runAll', keys: 'A', description: 'run every cell in order', short: 'run all', mode: 'browse', hint: false, when: (c) => !c.running, match: is('A')},
  {action: 'summary', keys: 's', description: 'open the summary of the session', short: 'summary', mode: 'browse', hint: true, match: is('s')},
  {action: 'search', keys: '/', description: 'search the pane', short: 'search', mode: 'browse', hint: false, match: is('/')},
  {action: 'nextMatch', keys: 'n', description: 'next match of the search', short: 'next', mode: 'browse', hint: true, when: (c) => c.query, match: is('n')},
  {action: 'previousMatch', keys: 'N', description: 'previous match of the search', short: 'prev', mode: 'browse', hint: false, when: (c) => c.query, match: is('N')},
  {action: 'back', keys: 'Esc', description: 'stop guiding and look around freely; clear the search', short: 'stop guiding', mode: 'browse', hint: true, when: (c) => c.guide !== 'off' || c.query, match: (_, k) => k.escape},
  {action: 'help', keys: '?', description: 'show or hide key help', short: 'help', mode: 'browse', hint: true, match: is('?')},
  {action: 'quit', keys: 'q', description: 'quit (the notes are saved; asks first while a step runs)', short: 'quit', mode: 'browse', hint: true, match: is('q')},

  {action: 'up', keys: '↑/k', description: 'previous finding', short: 'up', mode: 'summary', hint: false, match: up},
  {action: 'down', keys: '↓/j', description: 'next finding', short: 'down', mode: 'summary', hint: true, match: down},
  {action: 'top', keys: 'g/Home', description: 'first finding', short: 'top', mode: 'summary', hint: false, match: top},
  {action: 'bottom', keys: 'G/End', description: 'last finding', short: 'end', mode: 'summary', hint: false, match: bottom},
  {action: 'pageDown', keys: 'PgDn/Space', description: 'scroll the summary down', short: 'more', mode: 'summary', hint: true, when: (c) => c.scrollable, match: pageDown},
  {action: 'pageUp', keys: 'PgUp/b', description: 'scroll the summary up', short: 'back', mode: 'summary', hint: false, match: pageUp},
  {action: 'jump', keys: 'Enter', description: "go to the finding's cell", short: 'go to cell', mode: 'summary', hint: true, match: (_, k) => k.return},
  {action: 'runAll', keys: 'A', description: 'run every cell in order', short: 'run all', mode: 'summary', hint: true, when: (c) => !c.running, match: is('A')},
  {action: 'back', keys: 'Esc/s', description: 'back to the notebook', short: 'notebook', mode: 'summary', hint: true, match: (i, k) => k.escape || is('s')(i, k)},
  {action: 'help', keys: '?', description: 'key help', short: 'help', mode: 'summary', hint: true, match: is('?')},
  {action: 'quit', keys: 'q', description: 'quit (asks first while a step runs)', short: 'quit', mode: 'summary', hint: true, match: is('q')},

  {action: 'saveNote', keys: 'Ctrl-D', description: 'save the note', short: 'save', mode: 'note', hint: true, match: (i, k) => k.ctrl && (i === 'd' || i === 's')},
  {action: 'cancel', keys: 'Esc', description: 'discard the note', short: 'discard', mode: 'note', hint: true, match: (_, k) => k.escape},

  {action: 'approve', keys: 'y', description: 'yes, do what is shown', short: 'yes', mode: 'confirm', hint: true, match: (i) => i === 'y' || i === 'Y'},
  {action: 'decline', keys: 'n/Esc', description: 'no, leave it', short: 'no', mode: 'confirm', hint: true, match: (i, k) => i === 'n' || i === 'N' || k.escape},

  {action: 'apply', keys: 'Enter', description: 'search for what you typed', short: 'search', mode: 'search', hint: true, match: (_, k) => k.return},
  {action: 'cancel', keys: 'Esc', description: 'leave the search', short: 'cancel', mode: 'search', hint: true, match: (_, k) => k.escape},

  {action: 'complete', keys: 'Tab', description: 'complete the folder name (several matches are listed)', short: 'complete', mode: 'checkout', hint: true, match: (_, k) => k.tab},
  {action: 'apply', keys: 'Enter', description: 'use the path as the dagger checkout', short: 'use path', mode: 'checkout', hint: true, match: (_, k) => k.return},
  {action: 'clear', keys: 'Ctrl-U', description: 'clear the path', short: 'clear', mode: 'checkout', hint: false, match: (i, k) => k.ctrl && i === 'u'},
  {action: 'back', keys: 'Esc', description: 'go on without a checkout (the engine cells say what they need)', short: 'skip', mode: 'checkout', hint: true, match: (_, k) => k.escape},
  {action: 'quit', keys: 'Ctrl-C', description: 'quit (the notes are saved)', short: 'quit', mode: 'checkout', hint: true, match: (i, k) => k.ctrl && i === 'c'},

  {action: 'down', keys: '↓/j', description: 'scroll the help', short: 'down', mode: 'help', hint: false, match: down},
  {action: 'up', keys: '↑/k', description: 'scroll the help back', short: 'up', mode: 'help', hint: false, match: up},
  {action: 'pageDown', keys: 'PgDn/Space', description: 'next page of the help', short: 'more', mode: 'help', hint: true, when: (c) => c.scrollable, match: pageDown},
  {action: 'pageUp', keys: 'PgUp/b', description: 'previous page of the help', short: 'back', mode: 'help', hint: false, match: pageUp},
  {action: 'back', keys: 'Esc/?/q', description: 'close help', short: 'close', mode: 'help', hint: true, match: (i, k) => k.escape || i === '?' || i === 'q'},
]

/** Keys the note editor reads itself (listed in the help; `editDraft` implements them). */
export const EDITOR_KEYS: readonly {keys: string; description: string}[] = [
  {keys: '←/→', description: 'move the cursor'},
  {keys: 'Home/End', description: 'start or end of the line (also Ctrl-A/Ctrl-E)'},
  {keys: 'Ctrl-W', description: 'delete the word before the cursor (also Alt-Backspace)'},
  {keys: 'Ctrl-U', description: 'delete to the start of the line'},
  {keys: 'Enter', description: 'new line in the note'},
]

export function actionFor(mode: Mode, input: string, key: Key, context: KeyContext = IDLE): Action | undefined {
  return KEYMAP.find((b) => b.mode === mode && (b.when?.(context) ?? true) && b.match(input, key))?.action
}

/**
The footer: the keys that mean something in this mode right now, and nothing else. When they do not
all fit `width`, the later ones give way, but the way back, help and quit always stay (they come last).
*/
export function hintLine(mode: Mode, context: KeyContext = IDLE, width = Infinity): string {
  const valid = KEYMAP.filter((b) => b.mode === mode && b.hint && (b.when?.(context) ?? true) && (b.show?.(context) ?? true))
  const extra = mode === 'note' ? ['Enter new line', '←→ move', 'Ctrl-W delete word'] : []
  const keep = (b: Binding) => b.action === 'help' || b.action === 'quit' || b.action === 'back'
  const kept = valid.filter(keep).map((b) => `${b.keys} ${b.short}`)
  const rest = [...valid.filter((b) => !keep(b)).map((b) => `${b.keys} ${b.short}`), ...extra]
  const shown: string[] = []
  for (const hint of rest) if ([...shown, hint, ...kept].join('  ').length <= width) shown.push(hint)
  return [...shown, ...kept].join('  ')
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
