import {render} from 'ink-testing-library'
import {describe, expect, test} from 'vitest'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {resolveVariables} from '../../src/core/recipes/fill.js'
import {loadRecipe} from '../../src/core/recipes/load.js'
import {planSteps, type RecipePlan} from '../../src/core/recipes/plan.js'
import {runStep, type StepOutcome} from '../../src/core/recipes/run.js'
import type {PreparedStep} from '../../src/core/recipes/types.js'
import type {CellResult} from '../../src/core/types.js'
import {RecipeScreen} from '../../src/ui/recipe/RecipeScreen.js'
import {RecipeView} from '../../src/ui/recipe/RecipeView.js'
import {settle, waitForFrame} from '../helpers/ink.js'

async function plan(name: string, overrides: Record<string, string>): Promise<RecipePlan> {
  const recipe = await loadRecipe(name)
  const variables = await resolveVariables(recipe, {overrides})
  return {recipe, variables, steps: planSteps(recipe, variables)}
}

const DOWN = '\u001B[B'

describe('RecipeView', () => {
  test('renders the markdown and the selected step filled in, and moves between steps', async () => {
    const p = await plan('debugger-attach', {engine_pid: '7', dlv_image: 'localhost/dagger-dlv'})
    const {lastFrame, stdin, unmount} = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => undefined} color={false} width={110} height={40} />)
    const first = await waitForFrame(lastFrame, (f) => f.includes('Attach Delve to the dev engine'))
    expect(first).toContain('engine-running')
    expect(first).toContain("$ docker inspect --format '{{.State.Status}} pid={{.State.Pid}} image={{.Config.Image}}' dagger-engine.dev")
    expect(first).toContain('Enter run  d dry run  c copy')
    // Walk to the attach step.
    const attachIndex = p.steps.findIndex((s) => s.step.name === 'attach')
    for (let i = 0; i < attachIndex; i++) {
      stdin.write(DOWN)
      await settle()
    }
    const flat = (f: string) => f.replace(/\s+/g, ' ')
    const attach = await waitForFrame(lastFrame, (f) => flat(f).includes('--entrypoint dlv localhost/dagger-dlv attach 7'))
    expect(flat(attach)).toContain('$ docker run -it --privileged --rm --pid=container:dagger-engine.dev')
    unmount()
  })

  test('d shows a dry run and executes nothing; c copies the command', async () => {
    const p = await plan('debugger-attach', {engine_pid: '7'})
    const copied: string[] = []
    let ran = 0
    const runner = async (): Promise<StepOutcome> => {
      ran++
      return {step: 'x', ok: true, commands: []}
    }
    const {lastFrame, stdin, unmount} = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => undefined} color={false} runner={runner} copy={(t) => copied.push(t)} />)
    await waitForFrame(lastFrame, (f) => f.includes('engine-running'))
    stdin.write('d')
    const dry = await waitForFrame(lastFrame, (f) => f.includes('Dry run'))
    expect(dry).toContain('argv: ["docker","inspect","--format"')
    stdin.write('c')
    await waitForFrame(lastFrame, (f) => f.includes('Copied to the clipboard'))
    expect(copied).toEqual(["docker inspect --format '{{.State.Status}} pid={{.State.Pid}} image={{.Config.Image}}' dagger-engine.dev"])
    expect(ran).toBe(0)
    unmount()
  })

  test('Enter asks first; anything but y cancels; y runs it for real and the output reaches the recorder', async () => {
    const p = await plan('clean-old-engines', {})
    const recorder = new Recorder()
    const outcomes: StepOutcome[] = []
    const results: CellResult[] = []
    // The real runner, on a command that needs no daemon: the `after` step's docker CLI would, so swap in echo.
    const runner = (prepared: PreparedStep, options: Parameters<typeof runStep>[1]) =>
      runStep({...prepared, commands: [{text: 'echo listed', argv: ['echo', 'listed']}]}, options)
    const {lastFrame, stdin, unmount} = render(<RecipeView plan={p} recorder={recorder} onClose={() => undefined} color={false} runner={runner} onRan={(o, r) => {
          outcomes.push(o)
          results.push(r)
        }} />)
    await waitForFrame(lastFrame, (f) => f.includes('Remove old Dagger engine containers'))
    stdin.write('\r')
    await waitForFrame(lastFrame, (f) => f.includes('[y] run'))
    stdin.write('n')
    await waitForFrame(lastFrame, (f) => f.includes('Not run.'))
    expect(recorder.commands).toHaveLength(0)
    stdin.write('\r')
    await waitForFrame(lastFrame, (f) => f.includes('[y] run'))
    stdin.write('y')
    const done = await waitForFrame(lastFrame, (f) => f.includes('Done: exit 0'))
    expect(done).toContain('listed')
    expect(recorder.commands.at(-1)).toMatchObject({argv: ['echo', 'listed'], exitCode: 0, output: 'listed'})
    expect(outcomes).toHaveLength(1)
    // What the notebook hands to the session log.
    expect(results[0]).toMatchObject({cell: 'launch', status: 'pass', findings: [{id: 'recipe-clean-old-engines-list', status: 'pass'}]})
    expect(results[0]?.commands.at(-1)).toMatchObject({argv: ['echo', 'listed'], output: 'listed'})
    unmount()
  })

  test('a sudo step is print-only: Enter explains instead of asking', async () => {
    const p = await plan('reset-daemon-config', {daemon_config: '/etc/docker/daemon.json'})
    const {lastFrame, stdin, unmount} = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => undefined} color={false} />)
    await waitForFrame(lastFrame, (f) => f.includes('show-config'))
    const restart = p.steps.findIndex((s) => s.step.name === 'restart')
    for (let i = 0; i < restart; i++) {
      stdin.write('j')
      await settle()
    }
    await waitForFrame(lastFrame, (f) => f.includes('$ sudo systemctl restart docker.service'))
    stdin.write('\r')
    const frame = await waitForFrame(lastFrame, (f) => f.includes('Print-only'))
    expect(frame).toMatch(/never runs them/)
    unmount()
  })

  test('an interactive step is run inside a terminal suspension and control comes back', async () => {
    const p = await plan('debugger-attach', {engine_pid: '7'})
    let handedOver = 0
    const runner = async (prepared: PreparedStep): Promise<StepOutcome> => {
      handedOver++
      return {step: prepared.step.name, ok: true, commands: [{command: prepared.commands[0]!, exitCode: 0, output: ''}]}
    }
    const {lastFrame, stdin, unmount} = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => undefined} color={false} runner={runner} />)
    await waitForFrame(lastFrame, (f) => f.includes('engine-running'))
    const attachIndex = p.steps.findIndex((s) => s.step.name === 'attach')
    for (let i = 0; i < attachIndex; i++) {
      stdin.write('j')
      await settle()
    }
    await waitForFrame(lastFrame, (f) => f.replace(/\s+/g, ' ').includes('attach 7'))
    stdin.write('\r')
    await waitForFrame(lastFrame, (f) => f.includes('hands the terminal over'))
    stdin.write('y')
    const back = await waitForFrame(lastFrame, (f) => f.includes('Done: exit 0'))
    expect(back).toContain('Enter run')
    expect(handedOver).toBe(1)
    unmount()
  })

  test('q closes', async () => {
    const p = await plan('dev-shell', {dagger_src: '/src/dagger'})
    let closed = false
    const {lastFrame, stdin, unmount} = render(<RecipeView plan={p} recorder={new Recorder()} onClose={() => (closed = true)} color={false} />)
    await waitForFrame(lastFrame, (f) => f.includes('dev engine'))
    stdin.write('q')
    await settle()
    expect(closed).toBe(true)
    unmount()
  })
})

describe('RecipeScreen', () => {
  test('detects values, then shows the recipe; a session value wins over detection', async () => {
    const {lastFrame, stdin, unmount} = render(
      <RecipeScreen name="dev-shell" session={{dagger_src: '/from/the/session', engine_container: 'dagger-engine.dev'}} recorder={new Recorder()} onClose={() => undefined} color={false} env={{...process.env, DOCKER_HOST: 'tcp://127.0.0.1:1'}} timeoutMs={2000} />,
    )
    expect(lastFrame()).toContain('Opening dev-shell')
    await waitForFrame(lastFrame, (f) => f.includes('Open a shell that talks to the dev engine'))
    stdin.write('j')
    await waitForFrame(lastFrame, (f) => f.includes('$ test -x /from/the/session/bin/dagger'))
    unmount()
  })
  test('an unknown recipe is said plainly', async () => {
    const {lastFrame, unmount} = render(<RecipeScreen name="no-such-recipe" recorder={new Recorder()} onClose={() => undefined} />)
    const frame = await waitForFrame(lastFrame, (f) => f.includes('could not be opened'))
    expect(frame).toContain('There is no recipe called "no-such-recipe"')
    unmount()
  })
})
