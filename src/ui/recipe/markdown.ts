import {Marked} from 'marked'
import {markedTerminal} from 'marked-terminal'
import stripAnsi from 'strip-ansi'
import type {Recipe} from '../../core/recipes/types.js'

export interface RenderOptions {
  /** Columns to wrap paragraphs at. */
  readonly width?: number
  /** Keep colours and styles; false gives plain text (NO_COLOR, pipes, --print to a file). */
  readonly color?: boolean
}

/**
Renders a recipe's markdown for the terminal. The info-string attributes (`{name=… shell=true}`) are
for the runner, not the reader, so they are dropped before the highlighter sees the language.
*/
export function renderRecipeMarkdown(recipe: Recipe, options: RenderOptions = {}): string {
  const width = Math.max(40, options.width ?? 80)
  const marked = new Marked()
  marked.use(markedTerminal({width, reflowText: true, showSectionPrefix: false, tab: 2, emoji: false}) as Parameters<Marked['use']>[0])
  const body = recipe.body.replace(/^(\s*(?:```|~~~)[ \t]*[A-Za-z0-9_-]*)[ \t]*\{[^}\n]*\}[ \t]*$/gm, '$1')
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
