import {spawnSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {loadRecipe} from '../../src/core/recipes/load.js'
import {planRecipe} from '../../src/core/recipes/plan.js'
import {runStep} from '../../src/core/recipes/run.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {readLabFacts} from '../lab/facts.js'

/** What the registry-eof recipe says Docker answers for a missing tag, made to happen against the lab's registry. */

const skip = skipWithoutDocker()

function pull(ref: string): string {
  const r = spawnSync('docker', ['pull', ref], {encoding: 'utf8', timeout: 120_000})
  expect(r.status).not.toBe(0)
  return `${r.stdout}${r.stderr}`
}

describe.skipIf(skip)('registry-eof: what Docker says', () => {
  test('a missing tag: docker pull says manifest unknown (classic store) or not found (containerd store), not EOF, and the tag-exists step says no such manifest', async () => {
    const registry = readLabFacts().registry
    expect(registry, 'the lab registry (test/lab/up.sh)').toBeTruthy()
    const missing = `${registry!.host}/lab/busybox:dxr-no-such-tag`
    const said = pull(missing)
    // The classic store relays the registry's error code; the containerd store says the reference was not found.
    expect(said).toMatch(readLabFacts().engine.imageStore === 'containerd' ? /: not found$/m : /manifest unknown/)
    expect(said).not.toMatch(/\bEOF\b/)

    const recipe = await loadRecipe('registry-eof')
    for (const [image, ok, text] of [
      [`${registry!.host}/lab/busybox:latest`, true, /"schemaVersion": 2/],
      [missing, false, /no such manifest/],
    ] as const) {
      const plan = await planRecipe(recipe, {env: process.env, cwd: process.cwd(), timeoutMs: 30_000, detect: false, overrides: {image}})
      const recorder = new Recorder()
      const outcome = await runStep(plan.steps.find((s) => s.step.name === 'tag-exists')!.prepared!, {recorder})
      expect(outcome.ok).toBe(ok)
      expect(recorder.commands[0]?.output).toMatch(text)
    }
  }, 180_000)
})
