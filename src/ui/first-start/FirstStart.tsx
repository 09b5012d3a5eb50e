import {Box, Text, useInput, type Key} from 'ink'
import {useRef, useState} from 'react'
import {findDaggerRoot} from '../../core/engine/checkout.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import type {Line} from '../cell-lines.js'
import {actionFor, keystrokes} from '../keymap.js'
import {wrapLine} from '../wrap.js'
import {completeDirectory, expandPath, isDirectory} from './complete.js'

export const CLONE_COMMAND = 'git clone https://github.com/dagger/dagger'

export interface FirstStartProps {
  /** Where the tool looked (the working directory). */
  readonly cwd: string
  readonly width: number
  readonly height: number
  readonly active: boolean
  /** The root of the checkout the user pointed at. */
  readonly onChosen: (root: string) => void
  /** Esc: go on without a checkout (the engine cells will say what is missing). */
  readonly onSkip: () => void
}

/** The root of the checkout the typed path is in, or why it is not one (one sentence). */
export function checkPath(input: string, cwd: string): {root: string} | {problem: string} {
  const dir = expandPath(input.trim() === '' ? '.' : input.trim(), cwd)
  if (!isDirectory(dir)) return {problem: `${dir} is not a folder: type the path of your dagger clone.`}
  const root = findDaggerRoot(dir)
  if (!root) return {problem: `${dir} is not in a dagger checkout: no go.mod declaring github.com/dagger/dagger there or above.`}
  return {root}
}

/** The input row: its end (where the cursor is) stays in view when the path is wider than the screen. */
function inputRow(label: string, input: string, width: number): string {
  const row = `${label}${input}█`
  return row.length <= width ? row : `${label}…${row.slice(row.length - Math.max(1, width - label.length - 1))}`
}

/**
The rows of the screen, `height` at most. The question, the input and the clone command always
show; a long list of matches gives way first, saying how many it left out.
*/
export function firstStartRows(view: {cwd: string; input: string; candidates: readonly string[]; problem: string}, width: number, height: number): Line[] {
  const wrap = (text: string, style: Omit<Line, 'text'> = {}) => wrapLine({text, ...style}, width)
  const head = [...wrap(`No dagger checkout found in ${view.cwd} or above it. The engine cells build and run a checkout of github.com/dagger/dagger: where is yours?`, {bold: true}), {text: ''}, {text: inputRow('Path to the checkout: ', view.input, width)}]
  const problem = view.problem === '' ? [] : wrap(view.problem, {hang: 2})
  const clone = [{text: ''}, ...wrap('No clone yet? Run this in another terminal, then type its path here:'), {text: `  ${CLONE_COMMAND}`, verbatim: true}]
  const room = height - head.length - problem.length - clone.length - 1
  let matches: Line[] = []
  if (view.candidates.length > 0 && room > 0) {
    const all = wrap(`Matches: ${view.candidates.join('  ')}`, {hang: 9})
    matches = all.length <= room ? all : [...all.slice(0, room - 1), {text: `  … ${all.length - room + 1} more rows of matches: type more, then Tab`}]
  }
  return [...head, ...problem, ...(matches.length > 0 ? [{text: ''}, ...matches] : []), ...clone].slice(0, height)
}

/** Asks for the dagger checkout when none was found, with Tab completion of folders that exist. */
export function FirstStart({cwd, width, height, active, onChosen, onSkip}: FirstStartProps) {
  // Keys can arrive faster than renders: the handler reads and writes the latest values in a ref.
  const ref = useRef({input: '', candidates: [] as readonly string[], problem: ''})
  const [, rerender] = useState(0)
  const set = (next: Partial<typeof ref.current>) => {
    ref.current = {...ref.current, ...next}
    rerender((n) => n + 1)
  }

  const onKey = (typed: string, key: Key): void => {
    const {input} = ref.current
    switch (actionFor('checkout', typed, key)) {
      case 'complete': {
        const done = completeDirectory(input, cwd)
        const none = done.candidates.length === 0 && done.input === input
        return set({input: done.input, candidates: done.candidates, problem: !none ? '' : input === '' ? `${cwd} has no folders.` : `No folder starts with ${sanitize(input)}.`})
      }
      case 'apply': {
        const checked = checkPath(input, cwd)
        return 'root' in checked ? onChosen(checked.root) : set({problem: sanitize(checked.problem)})
      }
      case 'back':
        return onSkip()
      case 'clear':
        return set({input: '', candidates: [], problem: ''})
      case 'quit':
        // The app quits on Ctrl-C in every view.
        return
      default:
    }
    // An edit makes the listed matches and the last complaint stale.
    if (key.backspace || key.delete) return set({input: input.slice(0, -1), candidates: [], problem: ''})
    if (!key.ctrl && !key.meta && typed && !/[\u0000-\u001F\u007F]/.test(typed)) set({input: input + sanitize(typed), candidates: [], problem: ''})
  }
  // A fast typist or a paste hands over several keys at once ("dagger\t"): each acts as its own key.
  useInput((chunk, chunkKey) => keystrokes(chunk, chunkKey).forEach(({input, key}) => onKey(input, key)), {isActive: active})

  const rows = firstStartRows({cwd, ...ref.current}, width, height)
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.map((r, i) => (
        <Text key={i} wrap="truncate-end" bold={r.bold ?? false}>
          {r.text || ' '}
        </Text>
      ))}
    </Box>
  )
}
