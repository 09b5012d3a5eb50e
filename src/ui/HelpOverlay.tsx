import {Box, Text} from 'ink'
import {KEYMAP} from './keymap.js'

/** Key help, generated from the same keymap as the footer. */
export function HelpOverlay({height}: {readonly height: number}) {
  const rows = KEYMAP.filter((b) => b.mode !== 'help')
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>Keys</Text>
      {rows.slice(0, Math.max(1, height - 2)).map((b) => (
        <Text key={`${b.mode}-${b.action}-${b.keys}`}>{`  ${b.keys.padEnd(12)} ${b.description}${b.mode === 'note' ? ' (while writing a note)' : b.mode === 'confirm' ? ' (when asked to approve a step)' : ''}`}</Text>
      ))}
      <Text>{'  Ctrl-C       quit at once (the notes are saved)'}</Text>
    </Box>
  )
}
