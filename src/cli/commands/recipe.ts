import {Recorder} from '../../core/notebook/recorder.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import {valuesOf} from '../../core/recipes/fill.js'
import {listRecipeNames, loadAllRecipes, loadRecipe} from '../../core/recipes/load.js'
import {planRecipe, type PlannedStep, type RecipePlan} from '../../core/recipes/plan.js'
import {describeDryRun, runStep, type StepOutcome} from '../../core/recipes/run.js'
import {RecipeError} from '../../core/recipes/types.js'
import {recipeRunResult} from '../../core/recipes/result.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from '../io.js'
import {askOnce} from '../prompt.js'
import {commandTimeoutMs, parseCommandArgs, type GlobalSettings} from '../settings.js'

const HELP = `Usage: dagger-explore recipe --list [--json]
       dagger-explore recipe NAME [--var k=v ...] [--print | --dry-run | --run] [--step NAME ...] [--yes] [--json]

Recipes are the notebook's fixes as runnable markdown (the recipes/ folder of the package). Values such
as the engine container and its PID are detected on this machine; --var overrides them. Every value is
quoted for the shell, and values that cannot be quoted safely are refused.

  --list             list the recipes
  --print            show the recipe with its values filled in (the default)
  --dry-run          show each step's final command and the argument vector it runs as
  --run              run the steps, asking before each one; optional steps (branches such as
                     "build an unstripped engine") only when named with --step
  --step NAME        only this step (repeatable); names are shown by --dry-run
  --var k=v          set a variable (repeatable)
  --yes              do not ask; needed to run without a terminal
  --no-detect        do not ask Docker for values: defaults and --var only
  --json             JSON on stdout only
  --notes-dir DIR    where the session log of a run goes
  --timeout MS       how long Docker calls may take (default 10000)

A step that hands the terminal over (a debugger, a shell) gets it until it exits, then control comes
back here. Steps with sudo are shown, never run.

Examples
  dagger-explore recipe --list
  dagger-explore recipe debugger-attach --dry-run
  dagger-explore recipe debugger-attach --run --step attach
  dagger-explore recipe dev-shell --run --var dagger_src=$HOME/src/dagger
`

const OPTIONS = {
  list: {type: 'boolean'},
  print: {type: 'boolean'},
  'dry-run': {type: 'boolean'},
  run: {type: 'boolean'},
  step: {type: 'string', multiple: true},
  var: {type: 'string', multiple: true},
  'no-detect': {type: 'boolean'},
} as const

/** A run without a terminal and without --yes: look first, then approve on the command line. */
const reviewFix = (recipe: string): string => `Review what would run with \`dagger-explore recipe ${recipe} --dry-run\`, then add --yes.`

function parseVars(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--var takes NAME=VALUE; "${sanitize(pair)}" is not in that form.`, {fix: 'Give the name, =, then the value, e.g. --var engine_pid=7.'})
    out[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return out
}

function write(io: CliIO, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

function variableLines(plan: RecipePlan): string[] {
  return plan.variables.map((v) => `  ${v.name} = ${v.value ?? '(none)'}${v.source ? `  [${v.source}${v.note ? `: ${v.note}` : ''}]` : v.note ? `  [${v.note}]` : ''}`)
}

/** Short markers after a step's name: how a run treats it. */
function stepTags(p: PlannedStep): string {
  const tags = [p.step.runnable ? undefined : 'print-only', p.step.optional ? 'optional' : undefined, p.step.mayFail ? 'may fail' : undefined, p.step.interactive ? 'takes the terminal' : undefined].filter(Boolean)
  return tags.length > 0 ? ` (${tags.join(', ')})` : ''
}

function stepJson(p: PlannedStep) {
  return {
    name: p.step.name,
    title: p.step.title,
    shell: p.step.shell,
    interactive: p.step.interactive,
    runnable: p.step.runnable,
    optional: p.step.optional,
    mayFail: p.step.mayFail,
    ...(p.step.printOnly ? {printOnly: p.step.printOnly} : {}),
    ...(p.prepared ? {commands: p.prepared.commands.map((c) => ({text: c.text, argv: c.argv}))} : {}),
    ...(p.error ? {error: p.error} : {}),
  }
}

function chooseSteps(plan: RecipePlan, names: readonly string[] | undefined): PlannedStep[] {
  if (!names || names.length === 0) return [...plan.steps]
  return names.map((name) => {
    const found = plan.steps.find((s) => s.step.name === name)
    if (!found) throw new UsageError(`The recipe ${plan.recipe.name} has no step "${sanitize(name)}".`, {fix: `Name one of its steps: ${plan.steps.map((s) => s.step.name).join(', ')}.`})
    return found
  })
}

/** Writes the run into a session log like any notebook run, under the cell the recipe belongs to. */
async function saveRun(io: CliIO, plan: RecipePlan, recorder: Recorder, outcomes: readonly StepOutcome[], started: Date, settings: GlobalSettings): Promise<string | undefined> {
  const {Session} = await import('../../cells/session.js')
  const session = await Session.start({settings, env: io.env})
  await session.log.addResult(recipeRunResult(plan, recorder, outcomes, started))
  await session.close('finished')
  return session.log.path
}

async function runPlan(io: CliIO, plan: RecipePlan, steps: readonly PlannedStep[], options: {yes: boolean; json: boolean; settings: GlobalSettings; chosen: boolean}): Promise<number> {
  if (!options.yes && !io.interactive) {
    throw new UsageError('Running recipe steps without a terminal needs --yes (nothing is run without confirmation).', {fix: reviewFix(plan.recipe.name)})
  }
  const chosen = options.chosen
  const blocked = steps.find((s) => s.error !== undefined && s.step.runnable && (chosen || !s.step.optional))
  if (blocked) {
    throw new RecipeError(`Step "${blocked.step.name}" cannot be filled in: ${blocked.reason ?? blocked.error}`, blocked.fix === undefined ? {} : {fix: blocked.fix})
  }
  const recorder = new Recorder()
  const started = new Date()
  const outcomes: StepOutcome[] = []
  // The step-by-step progress: with --json it goes to stderr, so stdout holds the one JSON result.
  const log = (text: string) => {
    if (options.json) io.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
    else write(io, text)
  }
  for (const planned of steps) {
    const prepared = planned.prepared
    if (!prepared) continue
    if (planned.step.optional && !options.chosen) {
      log(`\n▷ ${planned.step.name}: ${planned.step.title} (optional, skipped: run it with --step ${planned.step.name})`)
      continue
    }
    log(`\n▶ ${planned.step.name}: ${planned.step.title}`)
    for (const c of prepared.commands) log(`$ ${c.text.replace(/\n/g, '\n  ')}`)
    if (!planned.step.runnable) {
      log(`  not run: ${planned.step.printOnly ?? 'print-only'}`)
      outcomes.push({step: planned.step.name, ok: true, commands: [], skipped: planned.step.printOnly ?? 'print-only step'})
      continue
    }
    if (!options.yes) {
      const answer = await askOnce(io, 'Run this? [y/N/q] ')
      if (answer === 'quit') break
      if (answer === 'no') {
        outcomes.push({step: planned.step.name, ok: true, commands: [], skipped: 'declined at the prompt'})
        continue
      }
    }
    if (planned.step.interactive) log(`Handing the terminal to ${prepared.commands[0]?.argv[0] ?? 'the program'}; you come back here when it exits.`)
    const script = process.argv[1]
    const self = script !== undefined && /dagger-explore(\.js)?$|dist\/cli\.js$/.test(script) ? [process.execPath, script] : undefined
    const outcome = await runStep(prepared, {recorder, env: io.env, cwd: io.cwd, ...(self ? {self} : {}), ...(options.json ? {interactiveStdout: 'stderr' as const} : {})})
    outcomes.push(outcome)
    for (const c of outcome.commands) {
      if (c.output && !options.json) write(io, c.output)
      log(`  exit ${c.exitCode ?? 'none'}`)
    }
    if (planned.step.interactive) log('Back in dagger-explore.')
    if (!outcome.ok && planned.step.mayFail) {
      log(`Step ${planned.step.name} failed, which answers its question; going on.`)
    } else if (!outcome.ok) {
      log(`Step ${planned.step.name} failed; the remaining steps were not run.`)
      break
    }
  }
  const logPath = await saveRun(io, plan, recorder, outcomes, started, options.settings).catch((error: unknown) => {
    io.stderr.write(`dagger-explore: the run could not be saved to the session log: ${error instanceof Error ? error.message : String(error)}\n`)
    return undefined
  })
  const failed = outcomes.some((o) => !o.ok && !steps.find((p) => p.step.name === o.step)?.step.mayFail)
  if (options.json) {
    write(io, JSON.stringify({recipe: plan.recipe.name, ok: !failed, steps: outcomes.map((o) => ({step: o.step, ok: o.ok, ...(o.skipped ? {skipped: o.skipped} : {}), commands: o.commands.map((c) => ({argv: c.command.argv, exitCode: c.exitCode, output: c.output}))})), ...(logPath ? {sessionLog: logPath} : {})}))
  } else if (logPath) {
    log(`\nSession log: ${logPath}`)
  }
  return failed ? EXIT.problem : EXIT.ok
}

export const main: CommandMain = async (argv, io, before) => {
  const {values, positionals, settings} = parseCommandArgs(argv, OPTIONS, before, io)
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  const json = settings.json
  // Checked before --list too, so a bad value is refused however the command is used.
  const timeoutMs = commandTimeoutMs(settings, {fallback: 10_000})
  if (values.list) {
    const recipes = await loadAllRecipes()
    if (json) write(io, JSON.stringify(recipes.map((r) => ({name: r.name, title: r.title, summary: r.summary, suggestedBy: r.suggestedBy, steps: r.steps.map((s) => s.name)}))))
    else for (const r of recipes) write(io, `${r.name.padEnd(22)} ${r.title}`)
    return EXIT.ok
  }
  const name = positionals[0]
  if (name === undefined) {
    throw new UsageError(`No recipe was named. Recipes: ${(await listRecipeNames()).join(', ')}.`, {fix: 'Name one, e.g. `dagger-explore recipe debugger-attach --dry-run`, or use --list.'})
  }
  if (positionals.length > 1) throw new UsageError(`One recipe at a time; got ${positionals.map((p) => sanitize(p)).join(', ')}.`, {fix: 'Name one recipe per run.'})
  const modes = [values.print, values['dry-run'], values.run].filter(Boolean).length
  if (modes > 1) throw new UsageError('--print, --dry-run and --run exclude each other.', {fix: 'Choose one of them.'})

  if (values.run && !settings.yes && !io.interactive) {
    throw new UsageError('Running recipe steps without a terminal needs --yes (nothing is run without confirmation).', {fix: reviewFix(sanitize(name))})
  }

  let plan: RecipePlan
  try {
    const recipe = await loadRecipe(name)
    plan = await planRecipe(recipe, {env: io.env, cwd: io.cwd, timeoutMs, overrides: parseVars(values.var ?? []), detect: values['no-detect'] !== true})
  } catch (error) {
    if (error instanceof RecipeError) throw new UsageError(error.message, {fix: error.fix, cause: error})
    throw error
  }
  const steps = chooseSteps(plan, values.step)

  if (values.run) {
    try {
      return await runPlan(io, plan, steps, {yes: settings.yes, json, settings, chosen: (values.step?.length ?? 0) > 0})
    } catch (error) {
      if (error instanceof RecipeError) throw new UsageError(error.message, {fix: error.fix, cause: error})
      throw error
    }
  }

  if (json) {
    write(io, JSON.stringify({recipe: plan.recipe.name, title: plan.recipe.title, summary: plan.recipe.summary, suggestedBy: plan.recipe.suggestedBy, variables: plan.variables, steps: steps.map(stepJson)}))
    return EXIT.ok
  }
  if (values['dry-run']) {
    write(io, `${plan.recipe.title}\n\nValues:\n${variableLines(plan).join('\n')}\n`)
    for (const p of steps) {
      write(io, `\n▶ ${p.step.name}: ${p.step.title}${stepTags(p)}`)
      write(io, p.prepared ? describeDryRun(p.prepared) : `  cannot be filled in: ${p.error ?? ''}`)
    }
    return EXIT.ok
  }
  const {renderRecipeMarkdown} = await import('../../ui/recipe/markdown.js')
  const color = settings.color
  const width = (io.stdout as NodeJS.WriteStream).columns ?? 100
  write(io, renderRecipeMarkdown(plan.recipe, {color, width: Math.min(width, 120), values: valuesOf(plan.variables)}))
  write(io, `\nValues for this machine:\n${variableLines(plan).join('\n')}\n\nSteps, filled in:`)
  for (const p of steps) {
    write(io, `\n▶ ${p.step.name}: ${p.step.title}${stepTags(p)}`)
    if (p.prepared) for (const c of p.prepared.commands) write(io, `$ ${c.text.replace(/\n/g, '\n  ')}`)
    else write(io, `  cannot be filled in: ${p.error ?? ''}`)
  }
  write(io, `\nRun a step: dagger-explore recipe ${plan.recipe.name} --run --step NAME`)
  return EXIT.ok
}
