import {Box, Text} from 'ink'
import {STATUS_GLYPH, STATUS_LABEL} from '../../core/notebook/markdown.js'
import type {CellEntry} from '../../cells/registry.js'
import {latestResult} from './history.js'
import {inkColor} from '../../core/present/status.js'
import type {NotebookState} from './state.js'

export const RAIL_WIDTH = 22

/** The cell list: a `>` marks the selected cell (not only the inverse colour), a glyph and a word each status. */
export function Rail({state, height}: {readonly state: NotebookState; readonly height: number}) {
  const first = Math.max(0, Math.min(state.selected - height + 1, state.cells.length - height))
  return (
    <Box flexDirection="column" width={RAIL_WIDTH} height={height}>
      {state.cells.slice(first, first + height).map((cell: CellEntry, offset) => {
        const i = first + offset
        const runs = state.history.get(cell.id)
        const status = latestResult(runs)?.status
        const running = state.running === cell.id
        const mark = running ? '…' : status ? STATUS_GLYPH[status] : cell.load ? '·' : ' '
        const label = running ? 'RUN' : status ? STATUS_LABEL[status] : cell.load ? '' : 'n/a'
        const runCount = (runs?.length ?? 0) > 1 ? `${runs?.length}` : ''
        const cursor = i === state.selected ? (state.focus === 'rail' ? '>' : '›') : ' '
        return (
          <Text key={cell.id} inverse={i === state.selected && state.focus === 'rail'} {...(status ? {color: inkColor(status)} : {})} dimColor={!cell.load} wrap="truncate-end">
            {`${cursor}${mark} ${cell.title.padEnd(13).slice(0, 13)}${label ? ` ${label}` : ''}${runCount ? `×${runCount}` : ''}`.slice(0, RAIL_WIDTH)}
          </Text>
        )
      })}
    </Box>
  )
}
