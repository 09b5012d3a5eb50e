import {PLACEHOLDER} from './parse.js'
import {NeedsShellError, shellQuote, splitCommand, unsafeReason, UnsafeValueError} from './quote.js'
import {RecipeError, type PreparedCommand, type PreparedStep, type Recipe, type RecipeStep, type RecipeVariable, type ResolvedVariable, type VariableSource} from './types.js'

/** Finds a value on this machine; returns undefined with a reason when it cannot. */
export type Detector = () => Promise<{value?: string; note: string}>

export interface ResolveOptions {
  /** `--var k=v` from the command line: they win. */
  readonly overrides?: Readonly<Record<string, string>>
  /** Values the session already knows (engine container, image, PID, paths). */
  readonly session?: Readonly<Record<string, string>>
  /** Detectors by the name used in `detect:`; absent ones are skipped. */
  readonly detectors?: Readonly<Record<string, Detector>>
}

/** Checks a value against the variable's rules; returns the reason it is refused, if it is. */
export function checkValue(variable: RecipeVariable, value: string): string | undefined {
  const unsafe = unsafeReason(value)
  if (unsafe !== undefined) return unsafe
  if (variable.words === true) {
    // Put in unquoted, so it must read back as plain words: no operators, expansions or globs.
    try {
      splitCommand(value)
      return undefined
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
  }
  // A value read as an option changes what the command does, however well it is quoted.
  if (value.startsWith('-')) return 'it starts with "-", so the program would read it as an option'
  if (variable.pattern !== undefined && !new RegExp(`^(?:${variable.pattern})$`).test(value)) {
    return `it does not look like ${variable.description || variable.name} (expected to match ${variable.pattern})`
  }
  return undefined
}

/**
Gives every variable a value: `--var` first, then the session, then detection, then the default.
A refused override is an error; a refused detected or session value falls through to the next source.
*/
export async function resolveVariables(recipe: Recipe, options: ResolveOptions = {}): Promise<ResolvedVariable[]> {
  const out: ResolvedVariable[] = []
  for (const name of Object.keys(options.overrides ?? {})) {
    if (!recipe.variables.some((v) => v.name === name)) {
      const known = recipe.variables.map((v) => v.name).join(', ') || 'none'
      throw new RecipeError(`The recipe ${recipe.name} has no variable "${name}" (its variables: ${known}).`)
    }
  }
  for (const variable of recipe.variables) {
    const notes: string[] = []
    const take = (value: string, source: VariableSource, note?: string): ResolvedVariable | undefined => {
      const refused = checkValue(variable, value)
      if (refused === undefined) return {name: variable.name, value, source, ...(note === undefined ? {} : {note})}
      if (source === 'option') throw new RecipeError(`--var ${variable.name}=… is refused: ${refused}.`)
      notes.push(`${source} value refused: ${refused}`)
      return undefined
    }
    let resolved: ResolvedVariable | undefined
    const override = options.overrides?.[variable.name]
    if (override !== undefined) resolved = take(override, 'option', 'given with --var')
    const session = options.session?.[variable.name]
    if (!resolved && session !== undefined) resolved = take(session, 'session', 'from this session')
    const detector = variable.detect === undefined ? undefined : options.detectors?.[variable.detect]
    if (!resolved && detector) {
      try {
        const found = await detector()
        if (found.value !== undefined) resolved = take(found.value, 'detected', found.note)
        else notes.push(found.note)
      } catch (error) {
        notes.push(`detection failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    if (!resolved && variable.default !== undefined) resolved = take(variable.default, 'default', notes.length > 0 ? notes.join('; ') : 'the recipe default')
    out.push(resolved ?? {name: variable.name, note: notes.join('; ') || 'no value: pass it with --var'})
  }
  return out
}

/** Substitutes quoted values for `{{name}}`; throws when a value is missing or cannot be quoted. */
export function fillCommand(template: string, values: Readonly<Record<string, string | undefined>>, words: ReadonlySet<string> = new Set()): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name]
    if (value === undefined) throw new RecipeError(`The variable "${name}" has no value.`, {fix: `Pass it with --var ${name}=VALUE.`})
    // Checked by checkValue to split into plain words: they go in as written, several arguments.
    if (words.has(name)) return value
    try {
      return shellQuote(value)
    } catch (error) {
      if (error instanceof UnsafeValueError) throw new RecipeError(`The value of "${name}" is refused. ${error.message}`)
      throw error
    }
  })
}

/** One command of a step, filled in and turned into what will run. */
export function prepareCommand(step: RecipeStep, template: string, values: Readonly<Record<string, string | undefined>>, words?: ReadonlySet<string>): PreparedCommand {
  const text = fillCommand(template, values, words)
  if (step.shell) return {text, argv: ['sh', '-c', text]}
  try {
    const argv = splitCommand(text)
    if (argv.length === 0) throw new RecipeError(`Step "${step.name}" has an empty command.`)
    return {text, argv}
  } catch (error) {
    if (error instanceof NeedsShellError) throw new RecipeError(`Step "${step.name}": ${error.message}`, {fix: error.fix, cause: error})
    throw error
  }
}

export function prepareStep(step: RecipeStep, values: Readonly<Record<string, string | undefined>>, words?: ReadonlySet<string>): PreparedStep {
  return {step, commands: step.commands.map((c) => prepareCommand(step, c, values, words))}
}

/** The names of a recipe's several-argument variables. */
export function wordVariables(recipe: Recipe): Set<string> {
  return new Set(recipe.variables.filter((v) => v.words === true).map((v) => v.name))
}

/** The resolved variables as a name → value map (missing ones left out). */
export function valuesOf(resolved: readonly ResolvedVariable[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const r of resolved) if (r.value !== undefined) out[r.name] = r.value
  return out
}
