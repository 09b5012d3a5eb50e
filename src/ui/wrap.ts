import type {Line} from './cell-lines.js'

/** Word-wraps one pane line to the pane width, keeping its style; continuation rows keep the indent. */
export function wrapLine(line: Line, width: number): Line[] {
  if (line.text.length <= width) return [line]
  const indent = /^\s*/.exec(line.text)?.[0] ?? ''
  const hang = line.hang ?? indent.length + (/^\s*(Why|Fix|Recipe): /.test(line.text) ? 5 : 0)
  const pad = ' '.repeat(Math.min(hang, Math.floor(width / 2)))
  const rows: Line[] = []
  let rest = line.text
  let first = true
  while (rest.length > 0) {
    const room = first ? width : width - pad.length
    if (rest.length <= room) {
      rows.push({...line, text: first ? rest : pad + rest})
      break
    }
    let cut = rest.lastIndexOf(' ', room)
    // A break inside the label or indent (a long path with no spaces) would leave a row with no value.
    if (cut <= (first ? hang : 0)) cut = room
    rows.push({...line, text: first ? rest.slice(0, cut) : pad + rest.slice(0, cut)})
    rest = rest.slice(cut).replace(/^ /, '')
    first = false
  }
  return rows
}
