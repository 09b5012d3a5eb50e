import {Box, Text, useInput} from 'ink'
import {type ReactNode, useEffect, useRef, useState} from 'react'
import type {BuildViewModel, ViewLine} from '../../core/engine/build-view-model.js'
import {anyWider, LESS_MARK, MORE_MARK, shiftBy, sideways, widestOf} from '../../core/present/sideways.js'

export interface BuildViewProps {
  readonly view: BuildViewModel
  /** Rows of output shown (the summary, position and hint lines come on top). */
  readonly height?: number
  readonly width?: number
  /** How often new output is drawn; drawing per line would swamp the terminal during a flood. */
  readonly refreshMs?: number
  /** Whether this view takes keys (false while another part of the screen has focus). */
  readonly active?: boolean
  /** `q` or Esc (outside search). */
  readonly onClose?: () => void
  /** `r` after a failure: open the Registry cell with the failure's references. */
  readonly onOpenRegistry?: () => void
}

const STATE_COLOR = {running: 'cyan', passed: 'green', failed: 'red'} as const


function outputRoom(width: number): number {
  return Math.max(10, width - 8)
}

/**
The output lines as two text nodes (numbers, text) rather than nodes per line: a frame of 30 lines is
drawn ten times a second during a flood, and Ink's cost grows with the number of nodes.
*/
function OutputLines({lines, width, shift}: {readonly lines: readonly ViewLine[]; readonly width: number; readonly shift: number}) {
  const numbers = lines.map((l) => String(l.number).padStart(7, ' ')).join('\n')
  const room = outputRoom(width)
  const parts: ReactNode[] = []
  let buffer = ''
  lines.forEach((line, i) => {
    if (i > 0) buffer += '\n'
    // A cut line ends (or starts, scrolled sideways) with the cut marks: the key error line is never cut silently.
    const row = sideways(line.text, shift, room)
    const text = row.text
    // The left mark stands on the first columns of the window, so a column keeps its place in the row.
    const m = line.match && {start: line.match.start - shift, end: line.match.end - shift}
    const lead = shift > 0 ? LESS_MARK.length : 0
    const tail = row.full !== undefined && text.endsWith(MORE_MARK) ? MORE_MARK.length : 0
    const match = m && m.start >= lead && m.end <= text.length - tail ? m : undefined
    if (match === undefined) {
      buffer += text
      return
    }
    buffer += text.slice(0, match.start)
    if (buffer !== '') parts.push(buffer)
    buffer = ''
    parts.push(
      <Text key={line.number} inverse color={line.current ? 'yellow' : undefined}>
        {text.slice(match.start, match.end)}
      </Text>,
    )
    buffer += text.slice(match.end)
  })
  if (buffer !== '') parts.push(buffer)
  return (
    <Box flexDirection="row">
      <Box width={8}>
        <Text dimColor>{numbers}</Text>
      </Box>
      <Box width={room}>
        <Text>{parts}</Text>
      </Box>
    </Box>
  )
}

/**
The live build: one summary line (steps done, cached, running, failed, elapsed) over a scrollable,
searchable view of the bounded output. Redraws on a timer when output arrived, never per line.
*/
export function BuildView({view, height = 15, width = 100, refreshMs = 100, active = true, onClose, onOpenRegistry}: BuildViewProps) {
  const [, setTick] = useState(0)
  const [shift, setShift] = useState(0)
  const dirty = useRef(true)

  useEffect(() => {
    const unsubscribe = view.output.subscribe(() => {
      dirty.current = true
    })
    const timer = setInterval(() => {
      // Elapsed time moves while running even without output.
      if (dirty.current || view.output.state === 'running') {
        dirty.current = false
        setTick((t) => t + 1)
      }
    }, refreshMs)
    return () => {
      unsubscribe()
      clearInterval(timer)
    }
  }, [view, refreshMs])

  const redraw = (): void => setTick((t) => t + 1)

  useInput(
    (input, key) => {
      if (view.searching) {
        if (key.escape) view.cancelSearch()
        else if (key.return) view.submitSearch(height)
        else if (key.backspace || key.delete) view.backspaceSearch()
        else if (input && !key.ctrl && !key.meta) view.typeSearch(input)
        redraw()
        return
      }
      const widest = () => widestOf(view.frame(height).lines.map((l) => l.text))
      if (key.rightArrow || input === 'l') setShift((o) => shiftBy(o, 1, outputRoom(width), widest()))
      else if (key.leftArrow || input === 'h') setShift((o) => shiftBy(o, -1, outputRoom(width), widest()))
      else if (key.upArrow || input === 'k') view.scroll(-1, height)
      else if (key.downArrow || input === 'j') view.scroll(1, height)
      else if (key.pageUp || (key.ctrl && input === 'b')) view.pageUp(height)
      else if (key.pageDown || (key.ctrl && input === 'f') || input === ' ') view.pageDown(height)
      else if (key.home || input === 'g') view.home()
      else if (key.end || input === 'G' || input === 'f') view.follow()
      else if (input === '/') view.startSearch()
      else if (input === 'n') view.nextMatch(height)
      else if (input === 'N') view.previousMatch(height)
      else if (input === 'r' && view.output.state === 'failed') return onOpenRegistry?.()
      else if (input === 'q' || key.escape) return onClose?.()
      else return
      redraw()
    },
    {isActive: active},
  )

  const frame = view.frame(height)
  const state = view.output.state
  const cut = shift > 0 || anyWider(frame.lines.map((l) => l.text), outputRoom(width))
  const hint = frame.searching
    ? `/${frame.query}▏  Enter find · Esc cancel`
    : `↑↓ PgUp PgDn scroll${cut ? ` · ←→ h/l sideways${shift > 0 ? ` (col ${shift + 1})` : ''}` : ''} · g top · G follow · / search${frame.query ? ` · n/N next/prev (${frame.matchIndex}/${frame.matchCount} "${frame.query}")` : ''}${state === 'failed' && onOpenRegistry ? ' · r Registry cell' : ''}${onClose ? ' · q close' : ''}`
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={STATE_COLOR[state]} wrap="truncate-end">
        {frame.summary}
      </Text>
      <Text dimColor wrap="truncate-end">
        {frame.position}
        {frame.following ? ' · following' : ' · paused (G to follow)'}
      </Text>
      <OutputLines lines={frame.lines} width={width} shift={shift} />
      <Text dimColor wrap="truncate-end">
        {hint}
      </Text>
    </Box>
  )
}
