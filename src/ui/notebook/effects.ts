import {progressLine} from '../../core/engine/wait-progress.js'
import {errorText} from '../../core/errors.js'
import {Recorder} from '../../core/notebook/recorder.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import type {CellId, CellResult, CommandRecord, Confirm} from '../../core/types.js'
import type {BuildViewModel} from '../../core/engine/build-view-model.js'
import type {CellEntry} from '../../cells/registry.js'
import type {ComponentsView} from '../../cells/components.js'
import type {LiveView} from '../../cells/cell.js'
import type {Effect} from './state.js'
import type {Input} from './use-notebook.js'

/** What the notebook needs from a session: the real Session satisfies it. */
export interface NotebookSession {
  run(entry: CellEntry, extra?: {confirm?: Confirm; live?: (view: LiveView) => void}): Promise<CellResult>
  note(cell: CellId, text: string): Promise<void>
  recordRecipe(cell: CellId, recipe: string, commands: readonly CommandRecord[]): Promise<void>
  readonly log: {readonly path: string; readonly checkoutRoot?: string | undefined}
  /** Every run of a cell, oldest first (the run-history contract); without it the notebook starts from `initialResults`. */
  history?(id: CellId): readonly CellResult[]
  /** The working directory the session started in (recipes and exports start there). */
  readonly cwd: string
  /** The Components explorer the latest Components result offers, if it offers one. */
  componentsView(): ComponentsView | undefined
}

export interface EffectDeps {
  readonly session: NotebookSession
  readonly dispatch: (input: Input) => void
  readonly confirm: Confirm
  readonly answer: {current: ((yes: boolean) => void) | undefined}
  readonly liveBuild: {current: BuildViewModel | undefined}
  readonly onQuit: (how: 'finished' | 'interrupted') => void
  readonly exit: () => void
  readonly setRecipe: (recipe: {name: string; cell: CellId; recorder: Recorder}) => void
  readonly setTreeView: (view: ComponentsView) => void
}

/** Carries out what the reducer asked for: sessions, prompts, views; results come back as events. */
export function runEffect(effect: Effect, deps: EffectDeps): void {
  // errorText: a message line has room for one paragraph, so an error's fix goes after its message.
  const fail = (error: unknown) => deps.dispatch({type: 'message', text: sanitize(errorText(error))})
  switch (effect.kind) {
    case 'run': {
      // A long step hands over a live view; the notebook shows it while the step runs.
      const live = (view: LiveView) => {
        if (view.kind === 'build') {
          deps.liveBuild.current = view.view
          deps.dispatch({type: 'live'})
          return
        }
        // A long wait, in the words plain mode prints: what it waits for, elapsed of its limit, the last log line.
        deps.dispatch({type: 'message', text: sanitize(progressLine(view))})
      }
      void deps.session.run(effect.cell, {confirm: deps.confirm, live}).then(
        (result) => deps.dispatch({type: 'finished', result}),
        (error: unknown) => deps.dispatch({type: 'runFailed', message: `Could not save the result: ${sanitize(errorText(error))}`}),
      )
      return
    }
    case 'note':
      void deps.session.note(effect.cell, effect.text).catch(fail)
      return
    case 'answer':
      deps.answer.current?.(effect.yes)
      deps.answer.current = undefined
      return
    case 'quit':
      deps.onQuit(effect.how)
      deps.exit()
      return
    case 'recipe':
      deps.setRecipe({name: effect.name, cell: effect.cell, recorder: new Recorder()})
      return
    case 'openTree':
    {
      const view = deps.session.componentsView()
      if (!view) return deps.dispatch({type: 'message', text: 'The Components cell found no image to explore: run it against an engine first.'})
      deps.setTreeView(view)
      deps.dispatch({type: 'opened', mode: 'tree'})
      return
    }
  }
}
