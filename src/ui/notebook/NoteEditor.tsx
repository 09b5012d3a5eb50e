import {Box, Text} from 'ink'
import {draftRows, type Draft} from './editor.js'

/** The note being written, with its cursor; the rows nearest the cursor stay in view. */
export function NoteEditor({title, draft, width, height}: {readonly title: string; readonly draft: Draft; readonly width: number; readonly height: number}) {
  const rows = draftRows(draft)
  const cursorRow = draft.text.slice(0, draft.cursor).split('\n').length - 1
  const room = Math.max(1, height - 1)
  const first = Math.max(0, Math.min(cursorRow - room + 1, rows.length - room))
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">{`Note for ${title} (Ctrl-D saves, Esc discards, Enter adds a line):`}</Text>
      {rows.slice(first, first + room).map((row, i) => (
        <Text key={i} wrap="truncate-start">{`> ${row}`}</Text>
      ))}
    </Box>
  )
}
