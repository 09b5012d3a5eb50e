import {Box, Text} from 'ink'
import {sanitize} from '../core/notebook/sanitize.js'
import type {ConfirmRequest} from '../core/types.js'
import {wrapLine} from './wrap.js'

/** The one question wording of the app: every approval (a step, quitting) ends with this line. */
export const CONFIRM_PROMPT = 'Proceed? y = yes, n or Esc = no'

/** Lines of a confirmation: what, why, the exact commands (each on its own lines, never cut mid-word). */
export function confirmLines(request: ConfirmRequest, width: number): {text: string; bold?: boolean; command?: boolean}[] {
  const lines: {text: string; bold?: boolean; command?: boolean}[] = [{text: sanitize(request.action), bold: true}]
  lines.push(...wrapLine({text: sanitize(request.why)}, width).map((l) => ({text: l.text})))
  if (request.commands.length > 0) {
    lines.push({text: ''}, {text: 'This will run:'})
    for (const c of request.commands) lines.push(...wrapLine({text: `  $ ${sanitize(c)}`, hang: 4}, width).map((l) => ({text: l.text, command: true})))
  }
  lines.push({text: ''}, {text: CONFIRM_PROMPT, bold: true})
  return lines
}

/** A confirmation in a box of `height` rows: the prompt line stays visible, the commands above it are cut first. */
export function Confirm({request, width, height}: {readonly request: ConfirmRequest; readonly width: number; readonly height: number}) {
  const all = confirmLines(request, width)
  const shown = all.length <= height ? all : [...all.slice(0, Math.max(0, height - 3)), {text: `… ${all.length - height + 2} lines cut: a taller terminal shows them`}, ...all.slice(-2)]
  return (
    <Box flexDirection="column" height={height}>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate-end" bold={l.bold ?? false} {...(l.command ? {color: 'cyan'} : {})}>
          {l.text || ' '}
        </Text>
      ))}
    </Box>
  )
}
