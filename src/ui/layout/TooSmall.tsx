import {Box, Text} from 'ink'

/** The smallest terminal every view is laid out for. */
export const MIN_COLUMNS = 60
export const MIN_ROWS = 20

export const tooSmall = (columns: number, rows: number) => columns < MIN_COLUMNS || rows < MIN_ROWS

/** Drawn instead of a view that cannot fit, so a small terminal never gets a garbled frame. */
export function TooSmall({columns, rows}: {readonly columns: number; readonly rows: number}) {
  const lines = [`Terminal too small: ${columns}x${rows}.`, `Make it at least ${MIN_COLUMNS}x${MIN_ROWS}`, '(Ctrl-C quits).']
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      {lines.slice(0, Math.max(1, rows)).map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l}
        </Text>
      ))}
    </Box>
  )
}
