import {cleanup, render} from 'ink-testing-library'
import stripAnsi from 'strip-ansi'
import {afterEach, describe, expect, it} from 'vitest'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {resolveVariables} from '../../src/core/recipes/fill.js'
import {loadRecipe} from '../../src/core/recipes/load.js'
import {planSteps, type RecipePlan} from '../../src/core/recipes/plan.js'
import {checkComponents} from '../../src/core/tree/components.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {TooSmall} from '../../src/ui/layout/TooSmall.js'
import {RecipeView} from '../../src/ui/recipe/RecipeView.js'
import {TreeExplorer} from '../../src/ui/tree/TreeExplorer.js'
import {settle, waitForFrame} from '../helpers/ink.js'
import {ENGINE_TOML, v09BrokenLayers} from '../tree/era-fixtures.js'
import {memoryImage} from '../tree/memory-image.js'

afterEach(() => cleanup())

/** The frame's rows without styles: what a NO_COLOR terminal shows. */
function rows(frame: string): string[] {
  return stripAnsi(frame).split('\n')
}

async function plan(name: string, overrides: Record<string, string>): Promise<RecipePlan> {
  const recipe = await loadRecipe(name)
  const variables = await resolveVariables(recipe, {overrides})
  return {recipe, variables, steps: planSteps(recipe, variables)}
}

const SIZES = [
  [56, 15],
  [76, 19],
  [96, 25],
  [196, 45],
] as const

describe('views fit the rows and columns they are given', () => {
  it.each(SIZES)('the explorer at %ix%i: header first, one footer line last, cursor and legend in glyphs', async (width, height) => {
    const image = await memoryImage(v09BrokenLayers())
    const tree = mergeLayers(image.layers)
    const ui = render(<TreeExplorer image={image} tree={tree} checklist={checkComponents(image, tree)} name="dagger-engine.dev" height={height} width={width} />)
    const frame = await waitForFrame(ui.lastFrame, (f) => f.includes('dagger-engine.dev'))
    const r = rows(frame)
    expect(r).toHaveLength(height)
    expect(Math.max(...r.map((l) => l.length))).toBeLessThanOrEqual(width)
    expect(r[0]).toMatch(/^dagger-engine\.dev layer 3 of 3/)
    expect(r.at(-1)).toMatch(/^\d+\/\d+ · ↑↓ move.* · q close$/)
    expect(r.filter((l) => l.startsWith('▶'))).toHaveLength(1)
    // The layer's details whole: beside the header where they fit, else on a row of their own under it.
    expect(r.slice(0, 2).join('\n')).toMatch(/layer: 483 B, 2 entries, layer-3$/m)
    const legendRow = r[1]?.startsWith('layer: ') ? 2 : 1
    expect(legendRow).toBe(width < 196 ? 2 : 1)
    // Four distinct legend entries, each naming the glyph its rows carry, and the layer keys: packed tighter under 70 columns.
    expect(r[legendRow]).toMatch(width < 70 ? /^a\+■ added m~■ modified r-■ removed u■ / : /^a \+ ■ added {2}m ~ ■ modified {2}r - ■ removed {2}u ■ unmodified {2}\[ \] layer$/)
  })

  it('at 60 columns, the smallest terminal, the legend keeps the layer keys', async () => {
    const image = await memoryImage(v09BrokenLayers())
    const tree = mergeLayers(image.layers)
    const ui = render(<TreeExplorer image={image} tree={tree} name="dagger-engine.dev" height={20} width={60} />)
    const r = rows(await waitForFrame(ui.lastFrame, (f) => f.includes('dagger-engine.dev')))
    expect(r[1]).toBe('layer: 483 B, 2 entries, layer-3')
    expect(r[2]).toBe('a+■ added m~■ modified r-■ removed u■ unmodified [ ] layer')
  })

  it('an opened file fits too, and long lines scroll sideways with their cut marked', async () => {
    const image = await memoryImage(v09BrokenLayers())
    const tree = mergeLayers(image.layers)
    const long = `${ENGINE_TOML}# ${'x'.repeat(100)}END\n`
    const ui = render(<TreeExplorer image={image} tree={tree} name="dagger-engine.dev" height={10} width={60} readFile={async () => long} />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('dagger-engine.dev'))
    ui.stdin.write('/')
    await settle()
    ui.stdin.write('engine.toml')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/engine.toml▌'))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('filter: engine.toml'))
    ui.stdin.write('G')
    await settle()
    ui.stdin.write('o')
    let frame = await waitForFrame(ui.lastFrame, (f) => f.includes('insecure-entitlements'))
    let r = rows(frame)
    expect(r).toHaveLength(10)
    expect(r.at(-1)).toMatch(/^1\/\d+ · ↑↓ j\/k/)
    expect(r.find((l) => l.startsWith('# xxx'))).toMatch(/x…→$/)
    for (let i = 0; i < 5; i++) {
      ui.stdin.write('l')
      await settle()
    }
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('xEND'))
    r = rows(frame)
    expect(r).toHaveLength(10)
    expect(r.find((l) => l.includes('xEND'))).toMatch(/^←…x+END$/)
  })

  it.each(SIZES)('the recipe view at %ix%i: header first, footer last, the selected step marked, cut lines marked', async (width, height) => {
    const p = await plan('debugger-attach', {engine_pid: '7', dlv_image: 'localhost/dagger-dlv'})
    const ui = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => undefined} color={false} width={width} height={height} />)
    let frame = await waitForFrame(ui.lastFrame, (f) => f.includes('Recipe (step '))
    for (const f of [frame]) {
      const r = rows(f)
      expect(r).toHaveLength(height)
      expect(Math.max(...r.map((l) => l.length))).toBeLessThanOrEqual(width)
      expect(r[0]).toMatch(/^Recipe \(step 1\/\d+\): Attach Delve/)
      expect(r.at(-1)).toMatch(/^↑↓ step {2}Enter run/)
      expect(r.some((l) => l.includes('▶1 '))).toBe(true)
    }
    // The attach step's confirmation lists the whole argv, inside the same rows.
    const attach = p.steps.findIndex((s) => s.step.name === 'attach')
    for (let i = 0; i < attach; i++) {
      ui.stdin.write('j')
      await settle()
    }
    ui.stdin.write('\r')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('[y] run'))
    const r = rows(frame)
    expect(r).toHaveLength(height)
    expect(r.some((l) => l.includes(`▶${attach + 1} attach`))).toBe(true)
    expect(r.join(' ').replace(/\s+/g, '')).toContain('"attach","7"]')
    ui.stdin.write('n')
  })

  it('the recipe view searches its text with / and n, as less does', async () => {
    const p = await plan('debugger-attach', {engine_pid: '7', dlv_image: 'localhost/dagger-dlv'})
    // A word from the recipe's last paragraph: far below the first screen.
    const word = [...p.recipe.body.matchAll(/[A-Za-z]{7,}/g)].at(-1)?.[0] ?? ''
    const ui = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => undefined} color={false} width={80} height={20} />)
    await waitForFrame(ui.lastFrame, (f) => /lines 1-\d+ of/.test(f))
    ui.stdin.write('/')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/▏'))
    for (const ch of word) {
      ui.stdin.write(ch)
      await settle()
    }
    await waitForFrame(ui.lastFrame, (f) => f.includes(`/${word}▏`))
    ui.stdin.write('\r')
    const frame = await waitForFrame(ui.lastFrame, (f) => !/lines 1-\d+ of/.test(f) && f.includes(`n/N "${word}"`))
    const r = rows(frame)
    expect(r).toHaveLength(20)
    // The match is the first row of the text, as less puts it.
    expect(r[1]?.toLowerCase()).toContain(word.toLowerCase())
    expect(r.at(-1)).toMatch(/^n\/N "/)
    ui.stdin.write('/')
    await settle()
    ui.stdin.write('zzzz-not-there')
    await settle()
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Not found: zzzz-not-there'))
  })

  it('a too-small terminal says so, with the sizes', () => {
    const ui = render(<TooSmall columns={40} rows={10} />)
    expect(rows(ui.lastFrame() ?? '').join(' ')).toContain('terminal too small (need 60x20, have 40x10)')
    expect(rows(ui.lastFrame() ?? '').length).toBeLessThanOrEqual(10)
  })
})
