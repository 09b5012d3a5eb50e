import {DaggerExploreError} from '../errors.js'
/**
POSIX shell quoting for values substituted into recipe commands, and the reverse: splitting a command
line into an argument vector the way `sh` would, for commands that run without a shell.
*/

/** A value that cannot be put into a command safely; the message says why in plain words. */
export class UnsafeValueError extends DaggerExploreError {
  override readonly name = 'UnsafeValueError'
}

/** A command line that needs a real shell (pipes, expansions, redirections) to mean what it says. */
export class NeedsShellError extends DaggerExploreError {
  override readonly name = 'NeedsShellError'
}

// Characters that never need quoting; everything else gets single quotes.
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/
// C0 controls except tab and newline, DEL, C1 controls. ESC is the one that matters most: a value
// carrying it would redraw the user's terminal when the command is printed for review.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/
// Bidirectional overrides and isolates reorder what is displayed versus what runs (Trojan Source).
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a value cannot be quoted safely, or undefined when it can. */
export function unsafeReason(value: string): string | undefined {
  if (value.includes('\u0000')) return 'it contains a NUL byte, which no command argument can carry'
  const control = CONTROL.exec(value)
  if (control) {
    const code = control[0].codePointAt(0) ?? 0
    const name = code === 0x1b ? 'an escape character (terminal escape sequence)' : `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`
    return `it contains ${name}, which would be hidden or act on the terminal when the command is shown for review`
  }
  if (BIDI.test(value)) return 'it contains a bidirectional-text control, which makes the command display differently from what runs'
  if (LONE_SURROGATE.test(value)) return 'it is not valid Unicode text'
  return undefined
}

/**
Quotes `value` so that `sh` reads it back as exactly one word with exactly these characters. Single
quotes keep everything literal (including newlines); a single quote inside becomes `'\''`.
Throws UnsafeValueError for values that must not be shown or run (NUL, escapes, control characters).
*/
export function shellQuote(value: string): string {
  const reason = unsafeReason(value)
  if (reason !== undefined) throw new UnsafeValueError(`This value cannot be used safely: ${reason}.`)
  if (value === '') return "''"
  if (PLAIN.test(value)) return value
  return `'${value.replaceAll("'", `'\\''`)}'`
}

// Characters that end a word and start an operator when unquoted.
const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')'])
const GLOB = new Set(['*', '?', '['])
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/

/**
Splits one command line into words as `sh` would for a simple command: blanks separate words, quotes
and backslashes are removed, a backslash-newline joins lines. Anything that only a shell can carry out
(operators, `$` and backtick expansions, globs, `~`, leading `NAME=value`, several lines) throws
NeedsShellError, so a step that needs a shell must say so with `shell=true`.
*/
export function splitCommand(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let wordQuoted = false
  const needsShell = (what: string): never => {
    throw new NeedsShellError(`The command uses ${what}, which only a shell understands.`, {fix: 'Mark the block with {shell=true} to run it through sh.'})
  }
  const finish = () => {
    if (inWord) {
      if (words.length === 0 && !wordQuoted && ASSIGNMENT.test(word)) needsShell('a leading variable assignment')
      words.push(word)
    }
    word = ''
    inWord = false
    wordQuoted = false
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (c === ' ' || c === '\t') {
      finish()
      continue
    }
    if (c === '\n') {
      finish()
      if (line.slice(i + 1).trim() !== '') needsShell('several lines')
      break
    }
    if (c === '#' && !inWord) break
    if (c === '\\') {
      const next = line[i + 1]
      if (next === undefined) {
        inWord = true
        word += '\\'
        continue
      }
      i++
      if (next === '\n') continue
      word += next
      inWord = true
      continue
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end === -1) throw new NeedsShellError('The command has a single quote that is never closed.')
      word += line.slice(i + 1, end)
      inWord = true
      wordQuoted = true
      i = end
      continue
    }
    if (c === '"') {
      let j = i + 1
      for (; j < line.length; j++) {
        const d = line[j] as string
        if (d === '"') break
        if (d === '$' || d === '`') needsShell(d === '$' ? 'a `$` expansion' : 'a backtick command substitution')
        if (d === '\\') {
          const next = line[j + 1]
          if (next === '"' || next === '\\' || next === '$' || next === '`') {
            word += next
            j++
            continue
          }
          if (next === '\n') {
            j++
            continue
          }
        }
        word += d
      }
      if (j >= line.length) throw new NeedsShellError('The command has a double quote that is never closed.')
      inWord = true
      wordQuoted = true
      i = j
      continue
    }
    if (OPERATORS.has(c)) needsShell(`the operator \`${c}\``)
    if (c === '$') needsShell('a `$` expansion')
    if (c === '`') needsShell('a backtick command substitution')
    if (GLOB.has(c)) needsShell(`the wildcard \`${c}\``)
    if (c === '~' && !inWord) needsShell('`~` (home directory expansion)')
    word += c
    inWord = true
  }
  finish()
  return words
}
