import type Docker from 'dockerode'
import {dockerService} from '../docker/service.js'
import {DaggerExploreError, errorText} from '../errors.js'
import {createDetectors} from './detectors.js'
import {prepareStep, resolveVariables, valuesOf, wordVariables} from './fill.js'
import type {PreparedStep, Recipe, RecipeStep, ResolvedVariable} from './types.js'

/** A step ready to show and run, or the reason it cannot be filled in (a missing or refused value). */
export interface PlannedStep {
  readonly step: RecipeStep
  readonly prepared?: PreparedStep
  readonly error?: string
  /** What to do about `error`, when there is something (e.g. "Pass it with --var …"); `error` already ends with it. */
  readonly fix?: string
  /** `error` without the fix. */
  readonly reason?: string
}

export interface RecipePlan {
  readonly recipe: Recipe
  readonly variables: readonly ResolvedVariable[]
  readonly steps: readonly PlannedStep[]
}

export interface PlanOptions {
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  readonly timeoutMs: number
  readonly overrides?: Readonly<Record<string, string>>
  readonly session?: Readonly<Record<string, string>>
  /** Skip detection (no Docker calls): defaults and given values only. */
  readonly detect?: boolean
  /** For tests and callers that already hold a client. */
  readonly docker?: () => Promise<Docker>
  readonly procRoot?: string
}

/** Fills every step it can; a step with a missing value carries the reason instead of failing the whole recipe. */
export function planSteps(recipe: Recipe, variables: readonly ResolvedVariable[]): PlannedStep[] {
  const values = valuesOf(variables)
  const words = wordVariables(recipe)
  return recipe.steps.map((step) => {
    try {
      return {step, prepared: prepareStep(step, values, words)}
    } catch (error) {
      const fix = error instanceof DaggerExploreError ? error.fix : undefined
      return {step, error: errorText(error), ...(fix === undefined ? {} : {fix, reason: (error as Error).message})}
    }
  })
}

/** Resolves the recipe's variables (given values, the session, detection on this machine, defaults) and fills its steps. */
export async function planRecipe(recipe: Recipe, options: PlanOptions): Promise<RecipePlan> {
  let client: Promise<Docker> | undefined
  const docker =
    options.docker ??
    (() => (client ??= dockerService(options.env).then((service) => service.client(options.timeoutMs))))
  const engineContainer = options.overrides?.engine_container ?? options.session?.engine_container
  const detectors =
    options.detect === false
      ? {}
      : createDetectors({
          env: options.env,
          cwd: options.cwd,
          timeoutMs: options.timeoutMs,
          docker,
          ...(options.procRoot === undefined ? {} : {procRoot: options.procRoot}),
          ...(engineContainer === undefined ? {} : {engineContainer}),
        })
  const variables = await resolveVariables(recipe, {
    ...(options.overrides ? {overrides: options.overrides} : {}),
    ...(options.session ? {session: options.session} : {}),
    detectors,
  })
  return {recipe, variables, steps: planSteps(recipe, variables)}
}
