import {Text} from 'ink'
import {useEffect, useState} from 'react'
import {sanitize} from '../../core/notebook/sanitize.js'
import {errorText} from '../../core/errors.js'
import {loadRecipe} from '../../core/recipes/load.js'
import {planRecipe, type RecipePlan} from '../../core/recipes/plan.js'
import {RecipeView, type RecipeViewProps} from './RecipeView.js'

export interface RecipeScreenProps extends Omit<RecipeViewProps, 'plan'> {
  /** The recipe's name, as a finding's `recipe` field gives it. */
  readonly name: string
  /** Values the session already knows (engine container, PID, paths), by variable name. */
  readonly session?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
}

/** Loads a recipe and detects its values on this machine, then shows it; what the notebook mounts for a finding's recipe. */
export function RecipeScreen({name, session, timeoutMs = 10_000, ...view}: RecipeScreenProps) {
  const [plan, setPlan] = useState<RecipePlan | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    let live = true
    loadRecipe(name)
      .then((recipe) => planRecipe(recipe, {env: view.env ?? process.env, cwd: view.cwd ?? process.cwd(), timeoutMs, ...(session ? {session} : {})}))
      .then(
        (p) => live && setPlan(p),
        (e: unknown) => live && setError(sanitize(errorText(e))),
      )
    return () => {
      live = false
    }
    // Planning runs once per recipe; later prop changes do not re-detect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name])
  if (error !== undefined) return <Text color="red">{`The recipe ${name} could not be opened: ${error}`}</Text>
  if (!plan) return <Text dimColor>{`Opening ${name}: detecting values on this machine…`}</Text>
  return <RecipeView plan={plan} {...view} />
}
