import {statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {execa} from 'execa'
import type {TestProject} from 'vitest/node'
import {LAB_ENGINE_ENV} from './engines.js'
import {defaultFactsFile, LAB_FACTS_ENV, readLabFacts, type LabFacts} from './facts.js'

const UP_SH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'up.sh')
// A cold Debian machine runs apt-get here; a warm lab answers in well under a second.
const DEFAULT_UP_TIMEOUT_MS = 10 * 60_000

function isCI(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1'
}

function upTimeoutMs(): number {
  const raw = Number(process.env.DAGGER_EXPLORE_LAB_UP_TIMEOUT_MS)
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_UP_TIMEOUT_MS
}

// `npm test` has just run up.sh as pretest; facts this fresh need no second pass.
const FRESH_FACTS_MS = 120_000

function freshFacts(): LabFacts | undefined {
  try {
    const file = defaultFactsFile()
    if (Date.now() - statSync(file).mtimeMs > FRESH_FACTS_MS) return undefined
    return readLabFacts(file)
  } catch {
    return undefined
  }
}

/** Runs up.sh (idempotent) unless it just ran, and returns its facts, or the reason it could not. */
async function bringUp(): Promise<{facts: LabFacts} | {error: string}> {
  const fresh = freshFacts()
  if (fresh) return {facts: fresh}
  const timeout = upTimeoutMs()
  // coreutils timeout signals up.sh's whole process group (apt-get included); the
  // daemons up.sh starts run in their own sessions and are not touched.
  const seconds = Math.ceil(timeout / 1000)
  const run = await execa('timeout', ['-k', '10', String(seconds), 'bash', UP_SH], {timeout: timeout + 20_000, reject: false, stdin: 'ignore', all: true})
  const output = run.all ?? ''
  if (run.timedOut || run.exitCode === 124) return {error: `test/lab/up.sh did not finish within ${seconds} s (DAGGER_EXPLORE_LAB_UP_TIMEOUT_MS).\n${tail(output)}`}
  if (run.exitCode !== 0) return {error: `test/lab/up.sh exited with ${run.exitCode ?? run.signal ?? 'an error'}.\n${tail(output)}`}
  if (output.trim() !== '') process.stderr.write(`${output.trimEnd()}\n`)
  try {
    return {facts: readLabFacts(defaultFactsFile())}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-20).join('\n')
}

export default async function setup(project: TestProject): Promise<void> {
  const result = await bringUp()
  if ('error' in result) {
    const message = `The test lab could not be brought up: ${result.error}`
    // Under CI a missing lab must fail the run, never turn into skipped tests.
    if (isCI()) throw new Error(message)
    process.stderr.write(`warning: ${message}\nTests that need Docker or the lab registries will fail or skip.\n`)
    project.provide('lab', null)
    return
  }
  // Each vitest project is one lab engine (vitest.config.ts): its facts describe that engine.
  const engineId = project.config.env?.[LAB_ENGINE_ENV] ?? 'system'
  let facts: LabFacts
  try {
    facts = readLabFacts(defaultFactsFile(), engineId)
  } catch (error) {
    throw new Error(`The test lab could not be brought up: ${(error as Error).message}`)
  }
  project.provide('lab', facts)
  // Forked workers start after this and inherit the environment: Node reads
  // NODE_EXTRA_CA_CERTS at start-up, so plain fetch() trusts the lab registries.
  process.env[LAB_FACTS_ENV] = defaultFactsFile()
  process.env.NODE_EXTRA_CA_CERTS = facts.caBundleFile
  process.env.DAGGER_EXPLORE_LAB_BASE_IMAGE = facts.baseImage
  if (facts.registry) process.env.DAGGER_EXPLORE_LAB_REGISTRY = facts.registry.host
}
