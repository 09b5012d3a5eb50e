import {Box, Text} from 'ink'
import {LineView} from '../notebook/Lines.js'
import type {SummaryLine} from './summary.js'

/** The summary: `height` rows from `scroll`; the finding under the cursor is marked with `>` and inverse. */
export function SummaryView({lines, targets, cursor, scroll, width, height}: {
  readonly lines: readonly SummaryLine[]
  readonly targets: readonly unknown[]
  readonly cursor: number
  readonly scroll: number
  readonly width: number
  readonly height: number
}) {
  const stops = targets.flatMap((t, i) => (t ? [i] : []))
  const selectedRow = stops[cursor]
  const from = Math.max(0, Math.min(scroll, lines.length - height))
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(from, from + height).map((line, i) => {
        const row = from + i
        const selected = row === selectedRow
        const text = line.cell ? `${selected ? '>' : ' '} ${line.text}` : `  ${line.text}`
        return selected ? <LineView key={i} line={{...line, text}} width={width} selected /> : <LineView key={i} line={{...line, text}} width={width} />
      })}
      {lines.length === 0 ? <Text> </Text> : null}
    </Box>
  )
}
