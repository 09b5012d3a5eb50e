import {Marked} from 'marked'
import {markedTerminal} from 'marked-terminal'
import stripAnsi from 'strip-ansi'
import {PLACEHOLDER} from '../../core/recipes/parse.js'
import {shellQuote} from '../../core/recipes/quote.js'
import {wordVariables} from '../../core/recipes/fill.js'
import type {Recipe} from '../../core/recipes/types.js'

export interface RenderOptions {
  /** Columns to wrap paragraphs at. */
  readonly width?: number
  /** Keep colours and styles; false gives plain text (NO_COLOR, pipes, --print to a file). */
  readonly color?: boolean
  /** Values to show in place of `{{name}}`, quoted as they would run; unknown ones stay as placeholders. */
  readonly values?: Readonly<Record<string, string>>
}

/**
Renders a recipe's markdown for the terminal. The info-string attributes (`{name=… shell=true}`) are
for the runner, not the reader, so they are dropped before the highlighter sees the language.
*/
export function renderRecipeMarkdown(recipe: Recipe, options: RenderOptions = {}): string {
  const width = Math.max(40, options.width ?? 80)
  const marked = new Marked()
  marked.use(markedTerminal({width, reflowText: true, showSectionPrefix: false, tab: 2, emoji: false}) as Parameters<Marked['use']>[0])
  // marked-terminal 7 renders a text token's raw text, so emphasis and code inside list items would
  // show as **stars** and `backticks` under marked 18: render the inline tokens when there are some.
  marked.use({
    renderer: {
      text(token) {
        return 'tokens' in token && token.tokens ? this.parser.parseInline(token.tokens) : false
      },
    },
  })
  const values = options.values ?? {}
  const words = wordVariables(recipe)
  const filled = recipe.body.replace(PLACEHOLDER, (match, name: string) => {
    const value = values[name]
    if (value === undefined) return match
    // Several arguments, already quoted word by word (and checked to be only words).
    if (words.has(name)) return value
    try {
      return shellQuote(value)
    } catch {
      return match
    }
  })
  const body = filled.replace(/^(\s*(?:```|~~~)[ \t]*[A-Za-z0-9_-]*)[ \t]*\{[^}\n]*\}[ \t]*$/gm, '$1')
  const rendered = marked.parse(`# ${recipe.title}\n\n${recipe.summary}\n\n${stripLeadingTitle(body, recipe.title)}`, {async: false})
  const text = typeof rendered === 'string' ? rendered : ''
  return (options.color === false ? stripAnsi(text) : text).replace(/\n{3,}/g, '\n\n').trimEnd()
}

/** The body usually repeats the title as its first heading; show it once. */
function stripLeadingTitle(body: string, title: string): string {
  const lines = body.replace(/^\s+/, '').split('\n')
  if (lines[0]?.replace(/^#\s+/, '').trim() === title) return lines.slice(1).join('\n')
  return body
}
