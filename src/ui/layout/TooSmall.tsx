import {Box, Text} from 'ink'

/** The smallest terminal every view is laid out for. */
export const MIN_COLUMNS = 60
export const MIN_ROWS = 20

export function tooSmall(columns: number, rows: number): boolean {
  return columns < MIN_COLUMNS || rows < MIN_ROWS
}

/**
Shown instead of a view when the terminal is under 60x20: a frame cut to fit would draw garbage
(the header over the first row, wrapped hints). It fits any size down to 1x1.
*/
export function TooSmall({columns, rows}: {readonly columns: number; readonly rows: number}) {
  const lines = [`terminal too small (need ${MIN_COLUMNS}x${MIN_ROWS}, have ${columns}x${rows})`, 'Enlarge the window; Ctrl-C quits (the notes are saved).']
  return (
    <Box flexDirection="column" width={Math.max(1, columns)} height={Math.max(1, rows)} overflow="hidden">
      {lines.slice(0, Math.max(1, rows)).map((line, i) => (
        <Text key={i} wrap="wrap" bold={i === 0}>
          {line}
        </Text>
      ))}
    </Box>
  )
}
