import {wrapText} from '../core/present/layout.js'
import type {Line} from './cell-lines.js'

/**
Lays one pane line out at the pane width (core/present/layout), keeping its style: prose wraps at
words with its hanging indent; a verbatim line, or a token wider than the pane, is cut with MORE_MARK
and the row carries the whole text in `full`.
*/
export function wrapLine(line: Line, width: number): Line[] {
  if (line.text.length <= width) return [line]
  const rows = wrapText(line.text, width, {...(line.hang === undefined ? {} : {hang: line.hang}), ...(line.verbatim ? {verbatim: true} : {})})
  return rows.map((row) => ({...line, text: row.text, ...(row.full === undefined ? {} : {full: row.full})}))
}
