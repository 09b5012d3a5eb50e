import {Box, Text} from 'ink'
import {inkColor} from '../../core/present/status.js'
import type {Line} from '../cell-lines.js'


/** One pane row, cut to the width (wrapping was done before, so rows are counted right). */
export function LineView({line, width, selected = false}: {readonly line: Line; readonly width: number; readonly selected?: boolean}) {
  const text = line.text.length > width ? line.text.slice(0, width) : line.text || ' '
  return (
    <Text wrap="truncate-end" bold={line.bold ?? false} dimColor={line.dim ?? false} inverse={selected} {...(line.status ? {color: inkColor(line.status)} : {})}>
      {text}
    </Text>
  )
}

/** `height` rows of `lines` from `scroll`, padded so the box is always exactly that tall. */
export function LinesBox({lines, scroll, width, height, selectedRow}: {readonly lines: readonly Line[]; readonly scroll: number; readonly width: number; readonly height: number; readonly selectedRow?: number}) {
  const from = Math.max(0, Math.min(scroll, lines.length - height))
  const visible = lines.slice(from, from + height)
  return (
    <Box flexDirection="column" width={width} height={height}>
      {visible.map((line, i) => (
        <LineView key={i} line={line} width={width} selected={selectedRow === from + i} />
      ))}
    </Box>
  )
}
