import {sanitize} from '../notebook/sanitize.js'
import type {CellId, CellResult, Status} from '../types.js'
import type {Recorder} from '../notebook/recorder.js'
import type {RecipePlan} from './plan.js'
import type {StepOutcome} from './run.js'

const CELL_IDS: readonly CellId[] = ['environment', 'daemon', 'registry', 'build', 'launch', 'components', 'debugger']

/** The notebook cell a recipe's runs are logged under: its `cell:` front matter, else Debugger. */
export function recipeCell(plan: RecipePlan): CellId {
  return CELL_IDS.find((c) => c === plan.recipe.cell) ?? 'debugger'
}

/**
A recipe run as a notebook result, for the session log: the values used as facts, one finding per step,
and every command with its output. The CLI and the TUI both log runs through this.
*/
export function recipeRunResult(plan: RecipePlan, recorder: Recorder, outcomes: readonly StepOutcome[], started: Date): CellResult {
  const mayFail = (name: string) => plan.recipe.steps.find((s) => s.name === name)?.mayFail === true
  const failed = outcomes.some((o) => !o.ok && !mayFail(o.step))
  const status: Status = failed ? 'fail' : outcomes.some((o) => !o.ok) ? 'warn' : outcomes.length > 0 && outcomes.every((o) => o.skipped) ? 'skipped' : 'pass'
  return {
    cell: recipeCell(plan),
    title: `Recipe: ${plan.recipe.title}`,
    status,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    facts: plan.variables.filter((v) => v.value !== undefined).map((v) => ({label: v.name, value: sanitize(v.value ?? '')})),
    findings: outcomes.map((o) => ({
      id: `recipe-${plan.recipe.name}-${o.step}`,
      status: o.skipped ? 'skipped' : o.ok ? 'pass' : mayFail(o.step) ? 'warn' : 'fail',
      title: `Recipe ${plan.recipe.name}, step ${o.step}: ${o.skipped ? 'not run' : o.ok ? 'ran' : 'failed'}`,
      ...(o.ok && !o.skipped
        ? {}
        : {
            detail: o.skipped ?? `It exited with ${o.commands.at(-1)?.exitCode ?? 'no exit code'}; its output is in the command log.`,
            fix: `Read its output, fix the cause, and run it again: dagger-explore recipe ${plan.recipe.name} --run --step ${o.step}`,
          }),
      recipe: plan.recipe.name,
    })),
    commands: [...recorder.commands],
  }
}
