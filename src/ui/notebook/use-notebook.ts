import type {Key} from 'ink'
import {useCallback, useRef, useState} from 'react'
import {step} from './keys.js'
import type {Effect, Event, NotebookState, View} from './state.js'

export type Input = Exclude<Event, {type: 'key'}> | {readonly type: 'key'; readonly input: string; readonly key: Key}

/**
The reducer behind a ref: keys of one chunk arrive before React re-renders, so each must see the
state the previous one left. Effects run after the state is stored, in order.
*/
export function useNotebook(initial: () => NotebookState, viewOf: (s: NotebookState) => View, run: (effect: Effect) => void) {
  const ref = useRef<NotebookState | undefined>(undefined)
  ref.current ??= initial()
  const [, setVersion] = useState(0)
  const latest = useRef({viewOf, run})
  latest.current = {viewOf, run}
  const dispatch = useCallback((event: Input) => {
    const state = ref.current as NotebookState
    const full: Event = event.type === 'key' ? {...event, view: latest.current.viewOf(state)} : event
    const next = step(state, full)
    ref.current = next.state
    setVersion((v) => v + 1)
    for (const effect of next.effects) latest.current.run(effect)
  }, [])
  return {state: ref.current, dispatch, current: ref}
}
