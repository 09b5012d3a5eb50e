import {existsSync} from 'node:fs'
import path from 'node:path'
import type {Recorder} from '../notebook/recorder.js'
import {BuildOutput} from './build-output.js'
import {buildCommand, type BuildCommand, sidecarName} from './build-plan.js'
import type {DaggerCheckout} from './checkout.js'
import type {DockerService} from '../docker/service.js'
import {type Approval, approve, type ConfirmRequest, DOCKER_CALL_TIMEOUT_MS} from './docker-api.js'
import {hackBuildFacts} from './build-script.js'
import {type EraRunFlags, runFlagsFor} from './era.js'
import {type BuildExplanation, explainBuild} from './explain-bridge.js'
import {devEnvironment, type ExportLine} from './exports.js'
import {createAndStart, inspectContainer, LaunchError, LOAD_TIMEOUT_MS, NO_TARBALL_FIX, loadEngineImage, planRun, type ReadyResult, removeDevContainer, type RunPlan, type StartOutcome, tagDevImage, VERIFY_TIMEOUT_MS, verifyDevCli, waitForEngine} from './launch.js'
import {type LaunchPlan, launchRequest, planLaunch} from './launch-plan.js'
import {type WaitProgress, withProgress} from './wait-progress.js'
import {devNames} from './names.js'
import {buildEnv} from './preflight.js'
import type {BuildRunResult} from './runner.js'
import {runBuild} from './runner.js'
import {type BuildAttempt, loadState, retryNote, saveState} from './state.js'

/** A dev build takes minutes to an hour on a cold cache; two hours means it is stuck. */
export const BUILD_TIMEOUT_MS = 2 * 60 * 60_000

export interface EngineBuildOptions {
  readonly checkout: DaggerCheckout
  readonly env: NodeJS.ProcessEnv
  readonly rec: Recorder
  /** Folder for the sidecar file. */
  readonly notesDir: string
  readonly output?: BuildOutput
  readonly signal?: AbortSignal
  readonly timeoutMs?: number
}

export interface EngineBuildResult {
  readonly command: BuildCommand
  readonly run: BuildRunResult
  readonly passed: boolean
  /** The attempt before this one, when there was one. */
  readonly previous?: BuildAttempt
  /** Set when this run followed a failed attempt: how much the cache saved. */
  readonly retryNote?: string
  readonly explanation?: BuildExplanation
  /** `export` lines captured from this run, or the environment hack/with-dev would set. */
  readonly exports: readonly ExportLine[]
}

/**
What the build will do to a dev engine that exists now, as a request to approve, or undefined when
there is none: every era's build ends by replacing dagger-engine.dev (`docker rm -fv`, then `docker
run`), so running it is a destructive step when one is there.
*/
export async function buildReplacement(checkout: DaggerCheckout, docker: DockerService, rec: Recorder): Promise<ConfirmRequest | undefined> {
  const names = devNames(docker.env)
  const existing = await inspectContainer(await docker.client(DOCKER_CALL_TIMEOUT_MS), names.container, rec)
  if (existing === undefined) return undefined
  return {
    action: `Build, which replaces the existing ${names.container} (${existing.State.Status}) at its end`,
    commands: [`./${checkout.era.entrypoint}`, `  … which runs: docker rm -fv ${names.container}`, `  … then: docker run … --name ${names.container} … ${names.image}`],
    why: `The dev build of every era removes and recreates ${names.container}; whatever runs on it stops. Its cache volume ${names.volume} is kept.`,
  }
}

/** Runs the checkout's build, keeps the attempt in the state file and explains a failure. */
export async function buildDevEngine(options: EngineBuildOptions): Promise<EngineBuildResult> {
  const {checkout, env, rec} = options
  const command = buildCommand(checkout)
  const state = await loadState(env, checkout.root)
  const previous = state.attempts.at(-1)
  const sidecarPath = path.join(options.notesDir, sidecarName())
  const startedAt = new Date()
  const run = await runBuild({
    file: command.file,
    args: command.args,
    cwd: command.cwd,
    env: buildEnv(env),
    sidecarPath,
    timeoutMs: options.timeoutMs ?? BUILD_TIMEOUT_MS,
    ...(options.signal === undefined ? {} : {signal: options.signal}),
    output: options.output ?? new BuildOutput(),
  })
  const passed = run.exitCode === 0 && !run.timedOut && !run.canceled
  rec.record({
    kind: 'exec',
    argv: [command.display],
    exitCode: run.exitCode,
    output: `${run.problem ? `${run.problem}\n` : ''}… ${run.lines.toLocaleString('en-US')} lines, the whole output is in ${path.basename(sidecarPath)}; the last ones:\n${run.tail.slice(-15).join('\n')}`,
    startedAt: startedAt.toISOString(),
    durationMs: run.durationMs,
  })
  // Sidecars are named relative to the session log, which lives in the same folder.
  rec.sidecars.push(path.relative(options.notesDir, sidecarPath))
  const attempt: BuildAttempt = {
    at: startedAt.toISOString(),
    exitCode: run.exitCode,
    passed,
    progress: run.progress,
    durationMs: run.durationMs,
    sidecarPath,
    failedSteps: run.failedSteps.slice(0, 10),
  }
  const exports = run.exports.length > 0 ? run.exports : state.exports
  await saveState(env, {...state, attempts: [...state.attempts, attempt], exports: passed && run.exports.length > 0 ? run.exports : state.exports})
  const note = retryNote(previous, run.progress)
  const explanation = passed || run.canceled ? undefined : await explainBuild(sidecarPath, run.tail)
  return {
    command,
    run,
    passed,
    ...(previous === undefined ? {} : {previous}),
    ...(note === undefined ? {} : {retryNote: note}),
    ...(explanation === undefined ? {} : {explanation}),
    exports: devEnvironment(checkout.root, exports, env),
  }
}

export interface EngineLaunchOptions extends Approval {
  readonly checkout: DaggerCheckout
  /** The daemon to launch on (the session's). */
  readonly docker: DockerService
  readonly env: NodeJS.ProcessEnv
  readonly rec: Recorder
  /** Skip loading bin/engine.tar and start the image already tagged (`engine start`). */
  readonly skipLoad?: boolean
  /** Keep a dev engine that already runs the loaded image (the build started it) instead of replacing it. */
  readonly reuseRunning?: boolean
  readonly network?: string
  readonly readyTimeoutMs?: number
  /** Told every few seconds what the launch waits for (the UI shows it as a progress line). */
  readonly progress?: (p: WaitProgress) => void
}

export interface EngineLaunchResult {
  readonly imageId?: string
  /** True when bin/engine.tar was loaded (its image was not in the daemon yet). */
  readonly loaded?: boolean
  readonly plan: RunPlan
  /** Everything that was to change, as approved (or declined). */
  readonly launchPlan?: LaunchPlan
  readonly start: StartOutcome
  readonly ready?: ReadyResult
  readonly verify?: {readonly ok: boolean; readonly output: string}
  readonly exports: readonly ExportLine[]
}

/** The flags the checkout's own build starts dagger-engine.dev with (its hack/build read for `start --debug`). */
export function eraRunFlags(checkout: DaggerCheckout): EraRunFlags {
  return runFlagsFor(checkout.era.id, checkout.version, hackBuildFacts(checkout.root)?.startDebug)
}

/**
Plans the whole launch from read-only calls (is the tarball's image there, where the dev tag points,
what container exists), asks once for every change as the exact commands, and only then loads, tags,
removes and starts; waits for the engine and checks bin/dagger against it.
*/
export async function launchDevEngine(options: EngineLaunchOptions): Promise<EngineLaunchResult> {
  const {checkout, env, rec} = options
  const docker = await options.docker.client(DOCKER_CALL_TIMEOUT_MS)
  const state = await loadState(env, checkout.root)
  const run = planRun(checkout.era.id, eraRunFlags(checkout), env, options.network)
  const exports = devEnvironment(checkout.root, state.exports, env)
  const tar = options.skipLoad === true ? undefined : path.join(checkout.root, 'bin', 'engine.tar')
  if (tar !== undefined && !existsSync(tar)) throw new LaunchError(`${tar} does not exist: the build did not produce an engine tarball.`, [], {fix: NO_TARBALL_FIX})
  const plan = await withProgress(planLaunch({docker, rec, run, ...(tar === undefined ? {} : {tar}), reuseRunning: options.reuseRunning === true}), 'reading which image bin/engine.tar holds (its manifest.json) and what Docker has', LOAD_TIMEOUT_MS, options.progress)
  const approved = plan.commands.length === 0 || (await approve(options, launchRequest(plan)))
  if (!approved) {
    const reason = plan.existing !== undefined && !plan.reuse ? `${run.name} already exists and replacing it was not approved (non-interactive use needs --yes).` : plan.reuse ? `Moving the tag ${run.image} was not approved (non-interactive use needs --yes).` : `Starting the privileged ${run.name} was not approved (non-interactive use needs --yes).`
    return {...(plan.imageId === undefined ? {} : {imageId: plan.imageId}), plan: run, start: {started: false, reason}, exports, launchPlan: plan}
  }
  let imageId = plan.imageId
  if (plan.load !== undefined) imageId = (await withProgress(loadEngineImage(docker, plan.load, rec), `loading ${path.basename(plan.load)} into Docker (POST /images/load)`, LOAD_TIMEOUT_MS, options.progress)).imageId
  if (plan.tag && imageId !== undefined) {
    await tagDevImage(docker, imageId, rec, env)
    await saveState(env, {...state, imageId})
  }
  let start: StartOutcome
  if (plan.reuse && plan.existing !== undefined) start = {started: true, id: plan.existing.Id, replaced: false, reused: true}
  else {
    if (plan.existing !== undefined) await removeDevContainer(docker, run.name, rec)
    start = await createAndStart(docker, run, env, rec, plan.existing !== undefined)
  }
  const base = {...(imageId === undefined ? {} : {imageId}), ...(plan.load === undefined ? {} : {loaded: true}), plan: run, start, exports, launchPlan: plan}
  const ready = await waitForEngine(docker, run.name, rec, options.readyTimeoutMs, options.progress)
  const verify = await withProgress(verifyDevCli(checkout.root, exports, env, rec), 'waiting for `bin/dagger version` to answer through the new engine', VERIFY_TIMEOUT_MS, options.progress)
  return {...base, ready, verify}
}

export {LaunchError}
