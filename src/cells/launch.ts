import {existsSync, statSync} from 'node:fs'
import path from 'node:path'
import type {DaggerCheckout} from '../core/engine/checkout.js'
import type Docker from 'dockerode'
import {type Confirm, DOCKER_CALL_TIMEOUT_MS, withTimeout} from '../core/engine/docker-api.js'
import {ageText, type EngineContainer, listEngines, planClean, removeEngines, runnerContainerName} from '../core/engine/engines.js'
import {inspectContainer, LaunchError} from '../core/engine/launch.js'
import {devNames} from '../core/engine/names.js'
import {launchFailureFix} from '../core/engine/launch-fix.js'
import {explainMessage} from '../core/engine/explain-bridge.js'
import {shellQuote} from '../core/engine/exports.js'
import {type EngineLaunchResult, launchDevEngine} from '../core/engine/session.js'
import type {WaitProgress} from '../core/engine/wait-progress.js'
import {sanitize} from '../core/notebook/sanitize.js'
import {DaggerExploreError} from '../core/errors.js'
import {confirmRecordingDeclines, type CellContext, type CellDefinition} from './cell.js'
import {checkoutFor} from './engine-checkout.js'
import {launchChecks} from './journey-checks.js'

/** How the UI approves destructive steps (defaults to ctx.confirm); without one only `--yes` approves. */
export interface LaunchCellHooks {
  readonly confirm?: Confirm
  /**
  `engine start`: start the image already tagged (loading is `engine load`), replace a running dev
  engine instead of keeping it (a restart), and report old engines without removing them (`engine clean` does).
  */
  readonly startOnly?: boolean
  /** Told what the launch did, or would have done when it was not approved; the command prints from it. */
  readonly onLaunch?: (result: EngineLaunchResult) => void
}

async function imageExists(docker: Docker, ref: string, ctx: CellContext): Promise<boolean> {
  try {
    await ctx.recorder.call('api', ['GET', `/images/${ref}/json`], () => withTimeout(docker.getImage(ref).inspect(), 15_000, 'image inspect'), (i) => i.Id)
    return true
  } catch {
    return false
  }
}

async function launch(ctx: CellContext, checkout: DaggerCheckout, hooks: LaunchCellHooks): Promise<boolean> {
  const yes = ctx.settings.yes
  const names = devNames(ctx.env)
  const tar = path.join(checkout.root, 'bin', 'engine.tar')
  let skipLoad = hooks.startOnly === true
  if (skipLoad) {
    // Starting only: the tagged image is started as it is, whatever bin/engine.tar holds now.
  } else if (!checkout.era.writesEngineTar) {
    // The dev module's deploy loads and starts the engine itself and writes no tarball: a bin/engine.tar
    // here is left from an older build, and loading it would replace the engine just built.
    if (existsSync(tar)) ctx.recorder.fact('bin/engine.tar', `not loaded: ${checkout.era.label} writes none, so this one is left from an older build (${statSync(tar).mtime.toISOString()})`)
    skipLoad = true
    const docker = await ctx.docker.client(DOCKER_CALL_TIMEOUT_MS)
    const running = await inspectContainer(docker, names.container, ctx.recorder)
    if (running?.State.Running === true) {
      ctx.recorder.fact('Engine image', `${names.container} is running ${running.Config.Image}; in this era hack/build's deploy starts it, so there is nothing to load`)
    } else if (!(await imageExists(docker, names.image, ctx))) {
      ctx.recorder.finding({
        id: 'engine-image-missing',
        status: 'fail',
        title: `No ${names.container} running and no ${names.image} image to start it from`,
        detail: `In this era hack/build's deploy loads the image into Docker as ${names.image} and starts ${names.container} itself; it writes no bin/engine.tar. Neither is there, so the build has not run (or did not get that far).`,
        fix: 'Run the Build engine cell (or `dagger-explore engine build`) first.',
      })
      return false
    } else {
      ctx.recorder.fact('Engine image', `${names.image} is there (the image hack/build's deploy tags); ${running === undefined ? 'no container yet' : `${names.container} is ${running.State.Status}`}, so it is started from that image`)
    }
  } else if (!existsSync(tar)) {
    // Without a tarball an engine image already in Docker (an earlier build's) can still be started;
    // failing here would contradict Components, which finds that image and inspects it.
    const docker = await ctx.docker.client()
    const running = await inspectContainer(docker, names.container, ctx.recorder)
    if (running === undefined && !(await imageExists(docker, names.image, ctx))) {
      ctx.recorder.finding({
        id: 'engine-tar-missing',
        status: 'fail',
        title: `No bin/engine.tar to load and no ${names.image} image to start`,
        detail: `${tar} does not exist: the build has not produced an engine image yet (${checkout.era.label} writes it before it starts the engine), and Docker has no ${names.image} image or ${names.container} container from an earlier build.`,
        fix: 'Run the Build engine cell (or `dagger-explore engine build`) first.',
      })
      return false
    }
    skipLoad = true
    ctx.recorder.fact('bin/engine.tar', `${tar} does not exist; ${running === undefined ? `${names.image} is there (from an earlier build), so it is started from that image` : `${names.container} is ${running.State.Status} on ${running.Config.Image}, so that image is used`}`)
  }
  try {
    const live = ctx.live
    const progress = live === undefined ? undefined : (p: WaitProgress): void => live({kind: 'progress', ...p})
    const result = await launchDevEngine({checkout, docker: ctx.docker, env: ctx.env, rec: ctx.recorder, yes, skipLoad, reuseRunning: hooks.startOnly !== true, ...(hooks.confirm === undefined ? {} : {confirm: hooks.confirm}), ...(progress === undefined ? {} : {progress})})
    if (result.imageId !== undefined && result.start.started) {
      const how = result.loaded === true ? 'loaded from bin/engine.tar' : skipLoad ? 'already tagged' : 'bin/engine.tar holds an image Docker already has, so nothing was loaded'
      ctx.recorder.fact(result.loaded === true ? 'Loaded image' : 'Engine image', `${result.imageId} → ${names.image} (${how})`)
    }
    hooks.onLaunch?.(result)
    const planned = result.launchPlan?.commands ?? []
    if (planned.length > 0) ctx.recorder.fact(result.start.started ? 'Ran' : 'Not run (not approved)', planned.join('\n'))
    // The start command is in that list unless the running engine was kept; then it is what would start one.
    const startLine = result.plan.argv.join(' ')
    if (!planned.includes(startLine)) ctx.recorder.fact(result.start.started ? 'Run' : 'Start command', startLine)
    if (!result.start.started) {
      // Only what was seen: a container that exists is named as existing, a fresh start is not.
      const existing = result.launchPlan?.existing !== undefined
      ctx.recorder.finding({
        id: 'engine-replace-not-approved',
        status: 'warn',
        title: existing ? `${names.container} already exists; it was left as it is` : `${names.container} was not started`,
        detail: existing
          ? `Starting the new engine means removing the existing ${names.container} first (\`docker rm -fv ${names.container}\`; the named volume with its cache stays). That needs your approval.`
          : `It runs as a privileged container (\`${result.plan.argv.join(' ')}\`), which needs your approval.`,
        fix: `Approve it when asked, or run \`dagger-explore engine start --yes${checkout.root === ctx.cwd ? '' : ` --dagger-src ${shellQuote(checkout.root)}`}\`.`,
      })
      return false
    }
    const how = result.start.reused ? ' was already running this image (the build started it)' : ` started${result.start.replaced ? ' (replaced the previous one)' : ''}`
    ctx.recorder.finding({id: 'engine-started', status: 'pass', title: `${names.container}${how} and answers ${result.ready?.via === 'dial-stdio' ? 'through buildctl dial-stdio' : '(readiness log line)'} after ${((result.ready?.waitedMs ?? 0) / 1000).toFixed(1)} s`})
    if (result.verify?.ok) {
      ctx.recorder.finding({id: 'dev-cli-verified', status: 'pass', title: `bin/dagger version: ${result.verify.output.split('\n')[0] ?? ''}`})
    } else {
      ctx.recorder.finding({
        id: 'dev-cli-failed',
        status: 'fail',
        title: 'bin/dagger version failed against the new engine',
        detail: result.verify?.output || 'No output.',
        fix: `Check that the build produced bin/dagger, and try it yourself: \`eval "$(dagger-explore engine env)" && ${path.join(checkout.root, 'bin', 'dagger')} version\`.`,
      })
    }
    ctx.recorder.fact('Environment for your shell', `eval "$(dagger-explore engine env)" sets ${result.exports.map((e) => `${e.name}=${e.value}`).join(' ')}`)
    return true
  } catch (error) {
    const logs = error instanceof LaunchError ? error.logs : []
    const state = await inspectContainer(await ctx.docker.client(), names.container, ctx.recorder).catch(() => undefined)
    const message = error instanceof Error ? error.message : String(error)
    // The same classification as `explain` and the Build cell, over the error and the engine's last log lines.
    const explained = explainMessage([message, ...logs].join('\n'))
    // An engine observed running is not short of privileges, whatever an old log line suggests.
    const useExplained = explained !== null && !(state?.State.Running === true && /privileg|cgroup/i.test(`${explained.fix} ${explained.why}`))
    ctx.recorder.finding({
      id: 'engine-launch-failed',
      status: 'fail',
      title: `Could not bring up ${names.container}`,
      detail: `${sanitize(message)}${logs.length > 0 ? `\nLast lines of its log:\n${logs.join('\n')}` : ''}${explained === null ? '' : `\n${explained.category}: ${explained.why}`}`,
      fix: error instanceof DaggerExploreError && error.fix !== undefined ? error.fix : useExplained && explained !== null ? `${explained.fix} Check with: ${explained.next}.` : launchFailureFix(names, state),
    })
    return false
  }
}

function engineLine(e: EngineContainer): string {
  return `${e.state} ${ageText(e.ageSeconds)} old, image ${e.image}, volumes ${e.volumes.join(' ') || 'none'}${e.pointedAt ? ', your environment points here' : ''}`
}

async function tidy(ctx: CellContext, hooks: LaunchCellHooks, remove: boolean): Promise<void> {
  const docker = await ctx.docker.client(DOCKER_CALL_TIMEOUT_MS)
  const engines = await listEngines(docker, ctx.env, ctx.recorder)
  const label = {dev: 'Dev engine', bootstrap: 'Bootstrap engine', custom: 'Custom engine'} as const
  for (const e of engines) ctx.recorder.fact(`${label[e.kind]} ${e.name}`, engineLine(e))
  const pointed = runnerContainerName(ctx.env._EXPERIMENTAL_DAGGER_RUNNER_HOST)
  const dev = devNames(ctx.env).container
  if (pointed !== dev) {
    ctx.recorder.finding({
      id: 'env-not-pointing-at-dev',
      status: 'warn',
      title: pointed === undefined ? 'Your shell does not point dagger at the dev engine' : `Your shell points dagger at ${pointed}, not ${dev}`,
      detail: `_EXPERIMENTAL_DAGGER_RUNNER_HOST is ${ctx.env._EXPERIMENTAL_DAGGER_RUNNER_HOST ?? 'not set'}, so \`dagger\` commands in this shell use ${pointed ?? 'a bootstrap engine it starts itself'}, not the engine you just built.`,
      fix: 'Run `eval "$(dagger-explore engine env)"` in your shell (or prefix commands with ./hack/with-dev).',
    })
  }
  const plan = planClean(engines)
  if (plan.remove.length === 0) return
  const yes = ctx.settings.yes
  if (remove && (hooks.confirm !== undefined || yes)) {
    const result = await removeEngines(docker, plan, {yes, ...(hooks.confirm === undefined ? {} : {confirm: hooks.confirm})}, ctx.recorder)
    if (result.approved) {
      const failed = result.outcomes.filter((o) => !o.removed)
      ctx.recorder.finding(
        failed.length === 0
          ? {id: 'old-engines-removed', status: 'pass', title: `Removed ${result.outcomes.length} old engine${result.outcomes.length === 1 ? '' : 's'}: ${result.outcomes.map((o) => o.name).join(', ')}`}
          : {id: 'old-engines-remove-failed', status: 'warn', title: `Could not remove ${failed.map((o) => o.name).join(', ')}`, detail: failed.map((o) => `${o.name}: ${o.error ?? ''}`).join('\n'), fix: `Try by hand: ${failed.map((o) => `docker rm -fv ${o.name}`).join('; ')}`},
      )
      return
    }
  }
  ctx.recorder.finding({
    id: 'old-engines',
    status: 'warn',
    title: `${plan.remove.length} old bootstrap engine${plan.remove.length === 1 ? '' : 's'} still around: ${plan.remove.map((e) => e.name).join(', ')}`,
    detail: `These were started by released dagger CLIs (the build's bootstrap engine among them). They keep memory and disk; dagger itself removes old ones with \`docker rm -fv\` when it starts a new one. The dev engine ${dev} is kept.`,
    fix: `Run \`dagger-explore engine clean --yes\`, which runs: ${plan.commands.join('; ')}`,
  })
}

/** The Launch engine cell with hooks for the UI; `launchCell` is the plain one. */
export function makeLaunchCell(hooks: LaunchCellHooks = {}): CellDefinition<'launch'> {
  return {
    id: 'launch',
    async run(ctx) {
      const given = hooks.confirm ?? ctx.confirm
      // Declining the start is this run's decline; declining the tidy-up afterwards is not (the engine may have started).
      const confirm = confirmRecordingDeclines(given, ctx.recorder)
      const asked: LaunchCellHooks = {...hooks, ...(confirm === undefined ? {} : {confirm})}
      const checkout = await checkoutFor(ctx)
      if (checkout === undefined) return
      await launchChecks(ctx)
      await launch(ctx, checkout, asked)
      await tidy(ctx, given === undefined ? {} : {confirm: given}, hooks.startOnly !== true)
    },
  }
}

export const launchCell: CellDefinition<'launch'> = makeLaunchCell()
