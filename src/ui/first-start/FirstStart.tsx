import {Box, Text, useInput} from 'ink'
import {useRef, useState} from 'react'
import {findDaggerRoot} from '../../core/engine/checkout.js'
import {sanitize} from '../../core/notebook/sanitize.js'
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

/** Asks for the dagger checkout when none was found, with Tab completion of directories that exist. */
export function FirstStart({cwd, width, height, active, onChosen, onSkip}: FirstStartProps) {
  // Keys can arrive faster than renders: the handler reads and writes the latest values in a ref.
  const ref = useRef({input: '', candidates: [] as readonly string[], problem: ''})
  const [, rerender] = useState(0)
  const set = (next: Partial<typeof ref.current>) => {
    ref.current = {...ref.current, ...next}
    rerender((n) => n + 1)
  }

  useInput(
    (typed, key) => {
      const {input} = ref.current
      if (key.tab) {
        const done = completeDirectory(input, cwd)
        return set({input: done.input, candidates: done.candidates, problem: done.candidates.length === 0 && done.input === input ? `No directory starts with ${input || 'that'} here.` : ''})
      }
      if (key.escape) return onSkip()
      if (key.return) {
        const dir = expandPath(input.trim() === '' ? '.' : input.trim(), cwd)
        if (!isDirectory(dir)) return set({problem: `${dir} is not a directory.`})
        const root = findDaggerRoot(dir)
        if (!root) return set({problem: `${dir} is not in a dagger checkout (no go.mod declaring github.com/dagger/dagger there or above).`})
        return onChosen(root)
      }
      if (key.backspace) return set({input: input.slice(0, -1)})
      if (key.ctrl && typed === 'u') return set({input: ''})
      if (!key.ctrl && !key.meta && typed && !/[\u0000-\u001F]/.test(typed)) set({input: input + sanitize(typed)})
    },
    {isActive: active},
  )

  const {input, candidates, problem} = ref.current
  const text = [
    `No dagger checkout found in ${cwd} or above it. The engine cells build and run a checkout of github.com/dagger/dagger, so tell me where yours is.`,
    '',
    `Path to the checkout: ${input}█`,
    'Tab completes directories, Enter uses the path, Esc goes on without a checkout.',
    ...(problem ? ['', problem] : []),
    ...(candidates.length > 0 ? ['', `Matches: ${candidates.join('  ')}`] : []),
    '',
    'No clone yet? Run this in another terminal, then type its path here:',
    `  ${CLONE_COMMAND}`,
  ]
  const rows = text.flatMap((t) => wrapLine({text: t}, width)).slice(0, height)
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.map((r, i) => (
        <Text key={i} wrap="truncate-end" bold={i === 0}>
          {r.text || ' '}
        </Text>
      ))}
    </Box>
  )
}
