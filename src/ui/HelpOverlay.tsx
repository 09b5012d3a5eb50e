import {Box, Text} from 'ink'
import type {Line} from './cell-lines.js'
import {EDITOR_KEYS, KEYMAP, type Mode} from './keymap.js'
import {wrapLine} from './wrap.js'

const WHERE: Partial<Record<Mode, string>> = {browse: 'In the notebook', summary: 'In the summary', note: 'While writing a note', confirm: 'When asked to approve a step', search: 'While typing a search', checkout: 'When asked where the dagger checkout is', help: 'In this help'}

/** Every key of every mode, from the same keymap as the footer, as rows the overlay scrolls through. */
export function helpLines(): string[] {
  const lines: string[] = ['Keys']
  for (const mode of Object.keys(WHERE) as Mode[]) {
    lines.push('', WHERE[mode] as string)
    const seen = new Set<string>()
    for (const b of KEYMAP.filter((x) => x.mode === mode)) {
      const row = `  ${b.keys.padEnd(12)} ${b.description}`
      if (!seen.has(row)) lines.push(row)
      seen.add(row)
    }
    if (mode === 'note') for (const k of EDITOR_KEYS) lines.push(`  ${k.keys.padEnd(12)} ${k.description}`)
  }
  lines.push('', '  Ctrl-C       quit at once (the notes are saved, a note being written as a draft)')
  return lines
}

/** The help as rows of `width`, descriptions wrapped under themselves. */
export function helpRows(width: number): Line[] {
  return helpLines().flatMap((text) => wrapLine({text, bold: text !== '' && !text.startsWith(' '), hang: 15}, width))
}

/** Key help: `height` rows of the help from `scroll`. */
export function HelpOverlay({height, width, scroll}: {readonly height: number; readonly width: number; readonly scroll: number}) {
  const lines = helpRows(width)
  const from = Math.max(0, Math.min(scroll, lines.length - height))
  return (
    <Box flexDirection="column" height={height} width={width}>
      {lines.slice(from, from + height).map((l, i) => (
        <Text key={i} wrap="truncate-end" bold={l.bold ?? false}>
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  )
}
