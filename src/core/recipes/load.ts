import {existsSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseRecipe} from './parse.js'
import {RecipeError, type Recipe} from './types.js'

/**
The `recipes/` folder of the package. The build bundles `src` into `dist/`, and `recipes/` ships next to
`dist/`; from the sources (tests) it is three levels up. Walking up from this module covers both.
*/
export function recipesDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'recipes')
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  throw new RecipeError(`The recipes folder was not found next to the package (looked upwards from ${from}); the installation looks incomplete.`, {fix: 'Reinstall dagger-explore.'})
}

/** Names of the recipes in the folder, sorted. */
export async function listRecipeNames(dir: string = recipesDir()): Promise<string[]> {
  const entries = await readdir(dir)
  return entries.filter((f) => f.endsWith('.md') && f !== 'README.md').map((f) => f.slice(0, -3)).sort()
}

export async function loadRecipe(name: string, dir: string = recipesDir()): Promise<Recipe> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new RecipeError(`"${name}" is not a recipe name: names are kebab-case, like debugger-attach.`, {fix: '`dagger-explore recipe --list` lists the recipes.'})
  const file = path.join(dir, `${name}.md`)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    const known = await listRecipeNames(dir).catch(() => [])
    throw new RecipeError(`There is no recipe called "${name}".`, {fix: known.length > 0 ? `Name one of the known recipes: ${known.join(', ')}.` : 'The recipes folder holds none: reinstall dagger-explore.'})
  }
  return parseRecipe(text, name, path.relative(path.dirname(dir), file))
}

export async function loadAllRecipes(dir: string = recipesDir()): Promise<Recipe[]> {
  const names = await listRecipeNames(dir)
  return Promise.all(names.map((n) => loadRecipe(n, dir)))
}
