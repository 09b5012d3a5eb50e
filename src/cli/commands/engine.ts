import {existsSync} from 'node:fs'
import path from 'node:path'
import {BuildOutput} from '../../core/engine/build-output.js'
import {type DaggerCheckout, detectCheckout, versionText} from '../../core/engine/checkout.js'
import {type Confirm, type ConfirmRequest, DOCKER_CALL_TIMEOUT_MS} from '../../core/engine/docker-api.js'
import {dockerService, type DockerService} from '../../core/docker/service.js'
import {ageText, listEngines, planClean, removeEngines, runnerContainerName, stopDevEngine} from '../../core/engine/engines.js'
import {devEnvironment, exportText, shellQuote} from '../../core/engine/exports.js'
import {LaunchError, loadEngineImage, probeDialStdio, tagDevImage} from '../../core/engine/launch.js'
import {devNames} from '../../core/engine/names.js'
import type {PreflightReport} from '../../core/engine/preflight.js'
import type {EngineBuildResult, EngineLaunchResult} from '../../core/engine/session.js'
import {makeBuildCell} from '../../cells/build.js'
import type {CellDefinition} from '../../cells/cell.js'
import {makeLaunchCell} from '../../cells/launch.js'
import {findCell, type CellEntry} from '../../cells/registry.js'
import {Session} from '../../cells/session.js'
import {loadState, saveState} from '../../core/engine/state.js'
import {Recorder} from '../../core/notebook/recorder.js'
import {sanitizeDeep} from '../../core/notebook/sanitize.js'
import {exitCodeFor, type CellId, type CellResult, type Finding} from '../../core/types.js'
import {classifyDockerError} from '../../core/docker/client.js'
import {writeFailure} from '../report.js'
import {DaggerExploreError, EXIT, UsageError, type CliIO, type CommandMain} from '../io.js'
import {findingJson} from '../../core/present/finding-json.js'
import {findingLines} from '../../core/present/finding-lines.js'
import {askOnce} from '../prompt.js'
import {plainLive} from '../plain-progress.js'
import {watchStopSignals} from '../stop-signals.js'
import {cellJson, renderCellPlain} from '../render-plain.js'
import {parseCommandArgs, type GlobalSettings} from '../settings.js'

const HELP = `Usage: dagger-explore engine ACTION [--dagger-src DIR] [--json] [--yes]

Builds and runs the Dagger development engine (dagger-engine.dev) from a dagger checkout, the same
code as the notebook's Build engine and Launch engine cells.

Actions
  build    pre-flight checks, then the checkout's own build (./hack/dev or ./hack/build), output
           streamed and kept in a sidecar file; explains a failure; a re-run reuses the cache
  load     load bin/engine.tar into Docker and tag it localhost/dagger-engine.dev:latest
  start    (re)start dagger-engine.dev from that image with the era's flags, wait until it
           answers, then check bin/dagger version against it; prints the Launch engine cell as
           \`check launch\` does (with --json, its record is under "cell")
  status   the checkout, every engine container (dev and bootstrap) and which one your
           environment points at
  env      print the export lines for the dev engine:  eval "$(dagger-explore engine env)"
  stop     stop dagger-engine.dev (container and cache volume are kept)
  clean    remove old bootstrap engines (dagger-engine-*) like dagger does (docker rm -fv);
           --include-dev also removes dagger-engine.dev

Options
  --dagger-src DIR   the dagger checkout (default: the current directory or one above it)
  --yes              approve replacing or removing containers (a build replaces a running
                     dev engine too); required when not in a terminal
  --include-dev      clean: remove the dev engine too
  --notes-dir DIR    where build and start write their session log (and the build its sidecar log)
  --timeout MS       status, stop, clean: how long to wait on a silent Docker daemon (default 15000)
  -v, --verbose      start: show the output of each command it ran
  --json             print one JSON object on stdout and nothing else there
  -h, --help         this help

Examples
  dagger-explore engine build --dagger-src ~/src/dagger
  dagger-explore engine load && dagger-explore engine start --yes
  eval "$(dagger-explore engine env)"
  dagger-explore engine clean --yes
`

// --dagger-src, --yes, --notes-dir, --timeout, --verbose and --json are global options (cli/settings.ts).
const OPTIONS = {
  'include-dev': {type: 'boolean'},
} as const

const ACTIONS = ['build', 'load', 'start', 'status', 'env', 'stop', 'clean'] as const
type Action = (typeof ACTIONS)[number]

interface Ctx {
  readonly io: CliIO
  /** The global options as parsed once; `json` and `yes` below are its values. */
  readonly settings: GlobalSettings
  readonly json: boolean
  readonly yes: boolean
  readonly includeDev: boolean
  readonly src: string
  readonly rec: Recorder
  /** The daemon of this command, resolved once. */
  readonly docker: DockerService
}


function write(io: CliIO, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

function printFindings(ctx: Ctx, findings: readonly Finding[]): void {
  for (const line of findingLines(findings, {color: ctx.settings.color})) write(ctx.io, line)
}

/** Text reaches the terminal through the clean writer; JSON values are cleaned too, for a consumer's `jq -r`. */
function json(ctx: Ctx, value: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(sanitizeDeep(value), null, 2)}\n`)
}

/** Asks on the terminal; without one, destructive steps need --yes (and the message says so). */
function confirmFor(ctx: Ctx): Confirm | undefined {
  if (!ctx.io.interactive || ctx.json) return undefined
  return async (request: ConfirmRequest) => {
    ctx.io.stderr.write(`\n${request.action}\n${request.why}\nThis will run:\n${request.commands.map((c) => `  ${c}`).join('\n')}\n`)
    return (await askOnce(ctx.io, 'Go ahead? [y/N] ')) === 'yes'
  }
}

function needsYes(ctx: Ctx, what: string, commands: readonly string[]): number {
  const text = `${what} was not done: it changes containers, and without a terminal to ask in that needs --yes. It would run:\n${commands.map((c) => `  ${c}`).join('\n')}\nRe-run with --yes to go ahead.`
  if (ctx.json) json(ctx, {ok: false, needsYes: true, commands, message: text})
  else ctx.io.stderr.write(`${text}\n`)
  return EXIT.usage
}

async function checkoutOrFail(ctx: Ctx): Promise<DaggerCheckout | number> {
  const found = await detectCheckout(ctx.src, ctx.rec)
  if (found.ok) return found.checkout
  writeFailure(ctx.io, {message: found.reason, fix: found.fix}, {command: 'engine', json: ctx.json})
  return EXIT.problem
}

/**
How long status, stop and clean wait on a silent daemon: --timeout when given, else the engine calls' own
limit (longer than the notebook's ping: these list and stop containers). `load` keeps its own: an image
import is silent while the daemon unpacks it.
*/
function dockerWait(ctx: Ctx): number {
  return ctx.settings.timeoutMs ?? DOCKER_CALL_TIMEOUT_MS
}

function describeCheckout(c: DaggerCheckout): Record<string, unknown> {
  return {root: c.root, version: versionText(c), describe: c.describe ?? null, tags: c.tags, era: c.era.id, eraLabel: c.era.label, entrypoint: c.era.entrypoint, ...(c.versionEra ? {versionSuggestsEra: c.versionEra} : {})}
}

/**
Runs one cell in a Session of its own, as `check` does (the session log keeps the run; a long wait
prints the same progress lines on stderr). Every stopping signal, not just Ctrl-C, closes the
session, which aborts what the cell runs (hack/dev's whole process group). With `stopAtOnce`, a
signal ends the wait at once, as `check` does, for a cell whose Docker calls may not heed the abort;
`result` is then absent. A throw inside the cell reaches the caller instead of becoming a crashed result.
*/
async function runInSession(ctx: Ctx, checkout: DaggerCheckout, id: CellId, cell: CellDefinition, stopAtOnce = false): Promise<{result: CellResult | undefined; interrupted: boolean; session: Session}> {
  let thrown: unknown
  const entry: CellEntry = {...findCell(id)!, load: async () => ({id, run: (c) => cell.run(c).catch((error: unknown) => ((thrown = error), Promise.reject(error)))})}
  const session = await Session.start({settings: {...ctx.settings, daggerSrc: checkout.root}, env: ctx.io.env, docker: ctx.docker})
  const signals = watchStopSignals(() => void session.close('interrupted'))
  let result: CellResult | undefined
  try {
    const run = session.run(entry, {live: plainLive(ctx.io)})
    result = await (stopAtOnce ? Promise.race([run, signals.interruption]) : run)
  } finally {
    signals.release()
    await session.close('finished')
  }
  const interrupted = signals.stopped()
  if (thrown !== undefined && !interrupted) throw thrown
  return {result, interrupted, session}
}

async function build(ctx: Ctx): Promise<number> {
  const checkout = await checkoutOrFail(ctx)
  if (typeof checkout === 'number') return checkout
  // The same Build engine cell and Session as `check build`: this command only chooses what to print.
  let pre: PreflightReport | undefined
  let replacement: {request: ConfirmRequest; approved: boolean} | undefined
  let result: EngineBuildResult | undefined
  let output: BuildOutput | undefined
  const confirm = ctx.yes ? undefined : confirmFor(ctx)
  const cell = makeBuildCell({
    ...(confirm === undefined ? {} : {confirm}),
    onPreflight: (report) => {
      pre = report
      if (ctx.json) return
      write(ctx.io, `Checkout ${checkout.root} (${versionText(checkout)}, ${checkout.era.label})`)
      printFindings(ctx, report.findings)
    },
    onReplacement: (request, approved) => (replacement = {request, approved}),
    onBuildStart: (live) => {
      output = live.output
      // Progress (the build's own output as it comes) goes to stderr in both modes: stdout keeps the result.
      ctx.io.stderr.write(`Running ./${checkout.era.entrypoint} in ${checkout.root} …\n`)
      let shown = 0
      live.output.subscribe(() => {
        const ring = live.output.ring
        // Print what arrived since last time (lines that already left the ring are in the sidecar).
        const fresh = Math.min(ring.total - shown, ring.length)
        if (fresh > 0) ctx.io.stderr.write(`${ring.tail(fresh).join('\n')}\n`)
        shown = ring.total
      })
    },
    onBuildEnd: (r) => (result = r),
  })
  await runInSession(ctx, checkout, 'build', cell)
  const blocking = pre?.findings.filter((f) => f.status === 'fail') ?? []
  if (pre === undefined || blocking.length > 0) {
    if (ctx.json) json(ctx, {ok: false, checkout: describeCheckout(checkout), preflight: pre?.findings ?? []})
    else write(ctx.io, 'Not building: fix the pre-flight failures above first.')
    return EXIT.problem
  }
  if (replacement !== undefined && !replacement.approved) {
    if (confirm === undefined) return needsYes(ctx, 'The build', replacement.request.commands)
    write(ctx.io, 'Not built.')
    return EXIT.problem
  }
  if (result === undefined || output === undefined) throw new Error('the build did not start')
  if (ctx.json) {
    json(ctx, {
      ok: result.passed,
      checkout: describeCheckout(checkout),
      preflight: pre.findings.map((f) => findingJson(f)),
      command: result.command.display,
      exitCode: result.run.exitCode,
      progress: result.run.progress,
      durationMs: result.run.durationMs,
      lines: result.run.lines,
      sidecar: result.run.sidecarPath,
      exports: result.run.exports,
      retryNote: result.retryNote ?? null,
      failures: result.explanation?.failures ?? [],
      refs: result.explanation?.refs ?? [],
      problem: result.run.problem ?? null,
    })
  } else {
    write(ctx.io, output.summaryLine())
    if (result.retryNote) write(ctx.io, result.retryNote)
    write(ctx.io, `Whole output: ${result.run.sidecarPath}`)
    if (result.run.problem) write(ctx.io, result.run.problem)
    if (result.passed) {
      if (result.run.exports.length > 0) write(ctx.io, `Captured from the build:\n${exportText(result.run.exports)}`)
      write(ctx.io, 'Next: dagger-explore engine load && dagger-explore engine start')
    } else if (result.explanation) {
      write(ctx.io, `The build failed (exit ${result.run.exitCode ?? 'none'}). What went wrong:`)
      for (const f of result.explanation.failures) write(ctx.io, `  - ${f.title}${f.detail ? `\n    ${f.detail}` : ''}`)
      if (result.explanation.refs.length > 0) write(ctx.io, `Images involved: ${result.explanation.refs.join(', ')} (the Registry cell probes them: dagger-explore check registry)`)
      write(ctx.io, 'Registry hiccups are often transient: run `dagger-explore engine build` again; the steps that finished come from cache.')
    }
  }
  if (result.run.canceled) return EXIT.interrupted
  return result.passed ? EXIT.ok : EXIT.problem
}

async function load(ctx: Ctx): Promise<number> {
  const checkout = await checkoutOrFail(ctx)
  if (typeof checkout === 'number') return checkout
  const tar = path.join(checkout.root, 'bin', 'engine.tar')
  if (!checkout.era.writesEngineTar) {
    const text = `Nothing to load: in this era (${checkout.era.label}) hack/build's deploy loads and starts the engine itself and writes no bin/engine.tar${existsSync(tar) ? ', so the one there is left from an older build and is not loaded' : ''}. \`dagger-explore engine status\` shows whether it runs.`
    if (ctx.json) json(ctx, {ok: false, error: text})
    else ctx.io.stderr.write(`${text}\n`)
    return EXIT.problem
  }
  const docker = await ctx.docker.client(DOCKER_CALL_TIMEOUT_MS)
  const loaded = await loadEngineImage(docker, tar, ctx.rec)
  const ref = await tagDevImage(docker, loaded.imageId, ctx.rec, ctx.io.env)
  const state = await loadState(ctx.io.env, checkout.root)
  await saveState(ctx.io.env, {...state, imageId: loaded.imageId})
  if (ctx.json) json(ctx, {ok: true, imageId: loaded.imageId, tag: ref, messages: loaded.messages})
  else write(ctx.io, `Loaded ${loaded.imageId} and tagged it ${ref}.\nNext: dagger-explore engine start`)
  return EXIT.ok
}

async function start(ctx: Ctx): Promise<number> {
  const checkout = await checkoutOrFail(ctx)
  if (typeof checkout === 'number') return checkout
  // The Launch engine cell and Session of `check launch`, starting the image `engine load` tagged.
  let launched: EngineLaunchResult | undefined
  const confirm = confirmFor(ctx)
  const cell = makeLaunchCell({startOnly: true, onLaunch: (r) => (launched = r), ...(confirm === undefined ? {} : {confirm})})
  const {result, interrupted, session} = await runInSession(ctx, checkout, 'launch', cell, true)
  if (interrupted || result === undefined) {
    ctx.io.stderr.write(`Interrupted. ${session.saveError ? session.saveError.message : `Notes saved to ${session.log.path}`}\n`)
    return EXIT.interrupted
  }
  const started = launched?.start.started === true
  if (!ctx.json) write(ctx.io, renderCellPlain(result, {color: ctx.settings.color, verbose: ctx.settings.verbose}))
  if (launched !== undefined && !started && confirm === undefined && !ctx.yes) {
    return needsYes(ctx, launched.launchPlan?.existing === undefined ? `Starting the privileged ${launched.plan.name}` : `Replacing ${launched.plan.name}`, launched.launchPlan?.commands ?? [launched.plan.argv.join(' ')])
  }
  // Declined or not brought up is a problem for this command, whatever else the cell saw.
  const code = started ? exitCodeFor([result.status]) : EXIT.problem
  if (ctx.json) {
    const launch = launched === undefined ? {} : {container: launched.plan.name, run: launched.plan.argv, replaced: launched.start.started && launched.start.replaced, ready: launched.ready, verify: launched.verify, exports: launched.exports}
    json(ctx, {ok: code === EXIT.ok, ...launch, ...(launched === undefined || launched.start.started ? {} : {reason: launched.start.reason}), cell: cellJson(result)})
  } else if (launched !== undefined && launched.start.started) {
    const ready = launched.ready?.via === 'dial-stdio' ? 'answered through buildctl dial-stdio' : 'its log says the server runs'
    write(ctx.io, `Started ${launched.plan.name}${launched.start.replaced ? ' (replaced the previous one)' : ''}; it ${ready} after ${((launched.ready?.waitedMs ?? 0) / 1000).toFixed(1)} s. Point your shell at it: eval "$(dagger-explore engine env)"`)
  }
  return code
}

async function status(ctx: Ctx): Promise<number> {
  const found = await detectCheckout(ctx.src, ctx.rec)
  const docker = await ctx.docker.client(dockerWait(ctx))
  const engines = await listEngines(docker, ctx.io.env, ctx.rec)
  const names = devNames(ctx.io.env)
  const dev = engines.find((e) => e.name === names.container)
  const answers = dev?.state === 'running' ? await probeDialStdio(docker, dev.name, 3000).catch(() => false) : false
  const pointed = runnerContainerName(ctx.io.env._EXPERIMENTAL_DAGGER_RUNNER_HOST)
  if (ctx.json) {
    json(ctx, {
      ok: true,
      checkout: found.ok ? describeCheckout(found.checkout) : null,
      checkoutProblem: found.ok ? null : found.reason,
      checkoutFix: found.ok ? null : (found.fix ?? null),
      runnerHost: ctx.io.env._EXPERIMENTAL_DAGGER_RUNNER_HOST ?? null,
      devEngine: dev ? {...dev, answers} : null,
      engines,
    })
    return EXIT.ok
  }
  write(ctx.io, found.ok ? `Checkout ${found.checkout.root}: ${versionText(found.checkout)}, ${found.checkout.era.label}` : `No checkout: ${found.reason}${found.fix === undefined ? '' : `\n  Fix: ${found.fix}`}`)
  write(ctx.io, `_EXPERIMENTAL_DAGGER_RUNNER_HOST: ${ctx.io.env._EXPERIMENTAL_DAGGER_RUNNER_HOST ?? '(not set: dagger starts its own bootstrap engine)'}`)
  if (engines.length === 0) write(ctx.io, 'No engine containers.')
  for (const e of engines) {
    const flags = [e.kind, e.pointedAt ? 'your environment points here' : '', e.name === dev?.name && e.state === 'running' ? (answers ? 'answers' : 'does not answer') : ''].filter(Boolean).join(', ')
    write(ctx.io, `${e.name}  ${e.state} (${e.status}), ${ageText(e.ageSeconds)} old, image ${e.image}, volumes ${e.volumes.join(' ') || 'none'} [${flags}]`)
  }
  if (pointed !== undefined && !engines.some((e) => e.name === pointed)) write(ctx.io, `Your environment points at ${pointed}, which does not exist.`)
  return EXIT.ok
}

async function env(ctx: Ctx): Promise<number> {
  const checkout = await checkoutOrFail(ctx)
  if (typeof checkout === 'number') return checkout
  const state = await loadState(ctx.io.env, checkout.root)
  const lines = devEnvironment(checkout.root, state.exports, ctx.io.env)
  if (ctx.json) {
    json(ctx, {ok: true, exports: lines, path: path.join(checkout.root, 'bin')})
    return EXIT.ok
  }
  write(ctx.io, `${exportText(lines)}\nexport PATH=${shellQuote(path.join(checkout.root, 'bin'))}:"$PATH"`)
  return EXIT.ok
}

async function stop(ctx: Ctx): Promise<number> {
  const docker = await ctx.docker.client(dockerWait(ctx))
  // Stopping changes a container like start and clean do: the same consent, asked or given by --yes.
  const running = (await listEngines(docker, ctx.io.env, ctx.rec)).find((e) => e.name === devNames(ctx.io.env).container && e.state === 'running')
  if (running !== undefined && !ctx.yes) {
    const commands = [`docker stop -t 10 ${running.name}`]
    const confirm = confirmFor(ctx)
    if (confirm === undefined) return needsYes(ctx, `Stopping ${running.name}`, commands)
    const approved = await confirm({action: `Stop ${running.name}`, why: 'The dev engine stops; its container and cache volume are kept.', commands})
    if (!approved) {
      write(ctx.io, `${running.name} was left running.`)
      return EXIT.ok
    }
  }
  const outcome = await stopDevEngine(docker, ctx.rec, ctx.io.env)
  const name = devNames(ctx.io.env).container
  const text = outcome === 'stopped' ? `Stopped ${name}; its container and cache volume are kept (dagger-explore engine start brings a fresh one up).` : outcome === 'not-running' ? `${name} was not running.` : `There is no ${name} container.`
  if (ctx.json) json(ctx, {ok: true, outcome, container: name})
  else write(ctx.io, text)
  return EXIT.ok
}

async function clean(ctx: Ctx): Promise<number> {
  const docker = await ctx.docker.client(dockerWait(ctx))
  const engines = await listEngines(docker, ctx.io.env, ctx.rec)
  const plan = planClean(engines, ctx.includeDev)
  if (plan.remove.length === 0) {
    if (ctx.json) json(ctx, {ok: true, removed: [], kept: plan.keep.map((e) => e.name)})
    else write(ctx.io, `Nothing to remove.${plan.keep.length > 0 ? ` Kept: ${plan.keep.map((e) => e.name).join(', ')}.` : ''}`)
    return EXIT.ok
  }
  const confirm = confirmFor(ctx)
  if (!ctx.yes && confirm === undefined) return needsYes(ctx, `Removing ${plan.remove.map((e) => e.name).join(', ')}`, plan.commands)
  const result = await removeEngines(docker, plan, {yes: ctx.yes, ...(confirm === undefined ? {} : {confirm})}, ctx.rec)
  const failed = result.outcomes.filter((o) => !o.removed)
  if (ctx.json) json(ctx, {ok: result.approved && failed.length === 0, approved: result.approved, outcomes: result.outcomes, kept: plan.keep.map((e) => e.name)})
  else if (!result.approved) write(ctx.io, 'Nothing removed.')
  else {
    for (const o of result.outcomes) write(ctx.io, o.removed ? `Removed ${o.name}` : `Could not remove ${o.name}: ${o.error ?? ''}`)
    if (plan.keep.length > 0) write(ctx.io, `Kept: ${plan.keep.map((e) => e.name).join(', ')}${ctx.includeDev ? '' : ' (the dev engine goes only with --include-dev)'}.`)
  }
  return failed.length === 0 ? EXIT.ok : EXIT.problem
}

const RUN: Record<Action, (ctx: Ctx) => Promise<number>> = {build, load, start, status, env, stop, clean}

export const main: CommandMain = async (argv, io, before) => {
  const {values, positionals, settings} = parseCommandArgs(argv, OPTIONS, before, io)
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  const action = positionals[0]
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action) || positionals.length > 1) {
    throw new UsageError(`engine needs one action: ${ACTIONS.join(', ')}${action === undefined ? '' : `; "${positionals.join(' ')}" is not one`}.`, {fix: 'Name one, e.g. `dagger-explore engine status`.'})
  }
  const ctx: Ctx = {
    io,
    settings,
    json: settings.json,
    yes: settings.yes,
    includeDev: values['include-dev'] === true,
    src: settings.daggerSrc ?? io.cwd,
    rec: new Recorder(),
    docker: await dockerService(io.env),
  }
  try {
    return await RUN[action as Action](ctx)
  } catch (error) {
    // Docker and launch failures are expected conditions: one paragraph, never a stack trace.
    const message = error instanceof Error ? error.message : String(error)
    const logs = error instanceof LaunchError ? error.logs : []
    // Our errors carry their fix; a raw Docker error gets the one its failure kind (from its code) calls for.
    const fix = error instanceof DaggerExploreError ? error.fix : classifyDockerError(error).fix
    const docs = error instanceof DaggerExploreError ? error.docs : undefined
    const tail = logs.length > 0 ? `\nLast lines of the container's log:\n${logs.map((l) => `  ${l}`).join('\n')}` : ''
    writeFailure(io, {message, fix, docs}, {command: `engine ${action}`, json: ctx.json, fields: {logs}, tail})
    return EXIT.problem
  }
}

/** For the dispatcher's help table. */
export const summary = 'Build, load, start, inspect and tidy the dev engine (dagger-engine.dev)'
