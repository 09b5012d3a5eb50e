import {readdirSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {prepareStep} from '../../src/core/recipes/fill.js'
import {listRecipeNames, loadRecipe, recipesDir} from '../../src/core/recipes/load.js'
import {describeDryRun} from '../../src/core/recipes/run.js'
import {renderRecipeMarkdown} from '../../src/ui/recipe/markdown.js'

const dir = recipesDir()
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')

describe('every recipe in recipes/', () => {
  test('the folder is found from the sources and holds the five recipes', async () => {
    expect(path.basename(dir)).toBe('recipes')
    expect(await listRecipeNames(dir)).toEqual(expect.arrayContaining(['clean-old-engines', 'debugger-attach', 'dev-shell', 'registry-eof', 'reset-daemon-config']))
  })

  test.each(files)('%s parses, fills with its defaults, and renders', async (file) => {
    const recipe = await loadRecipe(file.slice(0, -3), dir)
    expect(recipe.title.length).toBeGreaterThan(0)
    expect(recipe.summary.length).toBeGreaterThan(0)
    expect(recipe.steps.length).toBeGreaterThan(0)
    for (const variable of recipe.variables) expect(variable.default !== undefined || variable.detect !== undefined).toBe(true)

    // Every step turns into commands with a plausible value for each variable.
    const values = Object.fromEntries(recipe.variables.map((v) => [v.name, v.default ?? (v.pattern === '[0-9]+' ? '7' : 'some value')]))
    for (const step of recipe.steps) {
      const prepared = prepareStep(step, values)
      expect(prepared.commands.length).toBeGreaterThan(0)
      for (const command of prepared.commands) {
        expect(command.argv.length).toBeGreaterThan(0)
        expect(command.text).not.toMatch(/\{\{\s*[A-Za-z][A-Za-z0-9_]*\s*\}\}/)
      }
      expect(describeDryRun(prepared)).toContain('argv:')
    }

    const plain = renderRecipeMarkdown(recipe, {color: false, width: 100})
    expect(plain).toContain(recipe.title)
    expect(plain).not.toMatch(/\{[^}\n]*name=/) // info-string attributes are not shown
    for (const step of recipe.steps) {
      const first = step.commands[0]?.split('\n')[0]?.slice(0, 20) ?? ''
      expect(plain).toContain(first)
    }
  })
})

describe('the debugger-attach recipe', () => {
  test('has the attach step, interactive, joining the engine PID namespace privileged', async () => {
    const recipe = await loadRecipe('debugger-attach', dir)
    const attach = recipe.steps.find((s) => s.name === 'attach')
    expect(attach?.interactive).toBe(true)
    const prepared = prepareStep(attach!, {engine_container: 'dagger-engine.dev', dlv_path: 'dlv', dlv_image: 'localhost/dagger-dlv', engine_pid: '7'})
    expect(prepared.commands[0]?.argv).toEqual(['docker', 'run', '-it', '--privileged', '--rm', '--pid=container:dagger-engine.dev', '--entrypoint', 'dlv', 'localhost/dagger-dlv', 'attach', '7'])
    const headless = recipe.steps.find((s) => s.name === 'headless')!
    expect(prepareStep(headless, {engine_container: 'e', dlv_path: 'dlv', dlv_image: 'i', engine_pid: '7', headless_port: '2345'}).commands[0]?.text).toContain('attach 7 --headless --listen :2345 --api-version 2')
  })

  test('sudo steps are print-only', async () => {
    const recipe = await loadRecipe('reset-daemon-config', dir)
    const restart = recipe.steps.find((s) => s.name === 'restart')!
    expect(restart.runnable).toBe(false)
    expect(restart.printOnly).toMatch(/sudo/)
  })
})
