import path from 'node:path'
import {BuildOutput} from '../core/engine/build-output.js'
import {BuildViewModel} from '../core/engine/build-view-model.js'
import type {DaggerCheckout} from '../core/engine/checkout.js'
import {formatElapsed} from '../core/engine/progress.js'
import {preflight, type PreflightReport} from '../core/engine/preflight.js'
import {buildScripts, whatRuns} from '../core/engine/scripts.js'
import {buildDevEngine, buildReplacement, type EngineBuildResult} from '../core/engine/session.js'
import {approve, type Confirm, type ConfirmRequest} from '../core/engine/docker-api.js'
import {confirmRecordingDeclines, earlierData, type CellContext, type CellDefinition} from './cell.js'
import type {Finding} from '../core/types.js'
import {checkoutFor} from './engine-checkout.js'
import {beforeBuildChecks} from './journey-checks.js'

/** What the UI can hook into: approval, and the live output of a build to mount the build view on. */
export interface BuildCellHooks {
  /** Asks before a build that will replace a running dev engine; defaults to ctx.confirm; without either only `--yes` approves. */
  readonly confirm?: Confirm
  /** Called when the build starts, with the bounded output and its view model; defaults to handing ctx.live the build view. */
  readonly onBuildStart?: (live: {output: BuildOutput; view: BuildViewModel; checkout: DaggerCheckout}) => void
  /** Called with the pre-flight report before anything else is decided (`engine build` prints it). */
  readonly onPreflight?: (report: PreflightReport, checkout: DaggerCheckout) => void
  /** Called when the build would replace a dev engine, with whether that was approved. */
  readonly onReplacement?: (request: ConfirmRequest, approved: boolean) => void
  /** Called when it ends: `result.explanation?.refs` are the references for the Registry cell. */
  readonly onBuildEnd?: (result: EngineBuildResult) => void
}

function showScripts(ctx: CellContext, checkout: DaggerCheckout): void {
  ctx.recorder.fact('What runs', whatRuns(checkout))
  for (const script of buildScripts(checkout)) {
    ctx.recorder.record({kind: 'file', argv: ['cat', script.path], exitCode: 0, output: `# ${script.role}\n${script.text}`, startedAt: new Date().toISOString(), durationMs: 0})
  }
}

function registryVerdict(ctx: CellContext): void {
  const registry = ctx.previous.get('registry')
  const problems = earlierData(ctx, 'registry')?.problems ?? []
  if (registry === undefined) {
    ctx.recorder.fact('Registry cell', 'not run in this session: pulls during the build are not checked beforehand')
    return
  }
  ctx.recorder.fact('Registry cell', registry.status)
  if (registry.status === 'fail' || registry.status === 'warn') {
    ctx.recorder.finding({
      id: 'registry-verdict',
      status: 'warn',
      title: 'The Registry cell found problems with the registries this build pulls from',
      detail: `The build pulls its base images (alpine, golang, tonistiigi/xx, binfmt) through the bootstrap engine; the Registry cell reported: ${problems.slice(0, 3).join('; ') || registry.status}.`,
      fix: 'Look at the Registry cell first; the build will probably fail on the same pulls. Re-running a failed build reuses the cache, so a flaky registry costs only the failed steps.',
    })
  }
}

function report(ctx: CellContext, result: EngineBuildResult): readonly string[] {
  const {run} = result
  const p = run.progress
  ctx.recorder.fact('Steps', `${p.done} done, ${p.cached} from cache, ${p.failed} failed, ${p.running} unfinished (${p.steps} in all)`)
  ctx.recorder.fact('Output', `${run.lines.toLocaleString('en-US')} lines in ${path.basename(run.sidecarPath)}`)
  if (result.previous !== undefined) ctx.recorder.fact('Previous attempt', `${result.previous.passed ? 'passed' : 'failed'} at ${result.previous.at}`)
  if (result.retryNote !== undefined) {
    ctx.recorder.fact('Cache on retry', result.retryNote)
    ctx.recorder.finding({id: 'build-retry-cache', status: 'pass', title: `Retry reused the cache: ${p.cached} step${p.cached === 1 ? '' : 's'} came from cache`})
  }
  if (run.exports.length > 0) ctx.recorder.fact('Captured exports', run.exports.map((e) => `${e.name}=${e.value}`).join(' '))
  if (result.passed) {
    ctx.recorder.finding({id: 'build-passed', status: 'pass', title: `Built in ${formatElapsed(run.durationMs)}: ${p.done + p.cached} steps, ${p.cached} from cache`})
    return []
  }
  if (run.canceled || run.timedOut || run.notFound) {
    ctx.recorder.finding({
      id: run.notFound ? 'build-not-started' : run.timedOut ? 'build-timed-out' : 'build-interrupted',
      status: run.canceled ? 'skipped' : 'fail',
      title: run.problem ?? 'The build did not finish',
      detail: `${result.command.display} in ${result.command.cwd} ${run.notFound ? 'could not be started' : 'was stopped'}; the output so far is in ${path.basename(run.sidecarPath)}.`,
      fix: run.notFound ? `Check that ${result.command.display} exists and is executable (\`chmod +x ${result.command.display}\`).` : 'Run this step again: the steps that finished come from cache.',
    })
    return []
  }
  const explanation = result.explanation
  const failedAt = run.failedSteps[0]
  ctx.recorder.finding({
    id: 'build-failed',
    status: 'fail',
    title: failedAt === undefined ? `The build failed (exit ${run.exitCode ?? 'none'})` : `The build failed at: ${failedAt}`,
    detail: `${result.command.display} exited with ${run.exitCode ?? 'no code'} after ${formatElapsed(run.durationMs)}${explanation && explanation.failures.length > 0 ? `; ${explanation.failures.length} distinct failure${explanation.failures.length === 1 ? '' : 's'} found in the output (listed below)` : ''}. The whole output is in ${path.basename(run.sidecarPath)}.`,
    fix:
      explanation && explanation.refs.length > 0
        ? `The failure involves ${explanation.refs.join(', ')}: open the Registry cell to probe ${explanation.refs.length === 1 ? 'it' : 'them'} layer by layer. Registry EOFs are often transient: running this step again reuses the cache, so only the failed steps run again.`
        : 'Read the failures below and the sidecar file; running this step again reuses the cache, so only the failed steps run again.',
  })
  if (explanation !== undefined) {
    if (explanation.refs.length > 0) ctx.recorder.fact('Registry references', explanation.refs.join(' '))
    const failures = explanation.failures.slice(0, 8).map((f, i): Finding => ({
      id: `build-failure-${i + 1}`,
      status: 'fail',
      title: f.title.length > 300 ? `${f.title.slice(0, 300)}…` : f.title,
      detail: f.detail ?? 'Extracted from the build output.',
      fix: explanation.refs.length > 0 ? 'Probe the image in the Registry cell, then run the build again.' : 'See the sidecar file for the context around it.',
    }))
    for (const f of failures) ctx.recorder.finding(pointAtRegistry(ctx, f, explanation.refs))
  }
  return explanation?.refs ?? []
}

/**
A failure on an image the Registry cell already diagnosed points at that finding instead of writing
the registry fix out again: the fix lives in one place.
*/
function pointAtRegistry(ctx: CellContext, failure: Finding, refs: readonly string[]): Finding {
  const registry = ctx.previous.get('registry')
  const ref = refs.find((r) => failure.title.includes(r))
  const diagnosed = ref === undefined ? undefined : registry?.findings.find((f) => f.status === 'fail' && f.fix !== undefined && f.title.includes(ref))
  if (diagnosed === undefined) return failure
  const detail = (failure.detail ?? '').replace(/\sFix: [\s\S]*$/, '')
  return {...failure, detail: `${detail} The Registry cell diagnosed this image: "${diagnosed.title}".`, fix: `The fix is in the Registry cell's finding "${diagnosed.title}"; then run the build again.`}
}

/** The Build engine cell with hooks for the UI; `buildCell` is the plain one. */
export function makeBuildCell(hooks: BuildCellHooks = {}): CellDefinition<'build'> {
  return {
    id: 'build',
    async run(ctx) {
      const confirm = confirmRecordingDeclines(hooks.confirm ?? ctx.confirm, ctx.recorder)
      const checkout = await checkoutFor(ctx)
      if (checkout === undefined) return
      showScripts(ctx, checkout)
      const pre = await preflight(checkout, ctx.env, ctx.recorder)
      for (const f of pre.facts) ctx.recorder.fact(f.label, f.value)
      for (const f of pre.findings) ctx.recorder.finding(f)
      hooks.onPreflight?.(pre, checkout)
      await beforeBuildChecks(ctx, checkout)
      registryVerdict(ctx)
      if (pre.findings.some((f) => f.status === 'fail')) {
        ctx.recorder.fact('Build', 'not started: the pre-flight checks above must pass first')
        return
      }
      const replacement = await buildReplacement(checkout, ctx.docker, ctx.recorder)
      const approved = replacement === undefined || (await approve({yes: ctx.settings.yes, ...(confirm === undefined ? {} : {confirm})}, replacement))
      if (replacement !== undefined) hooks.onReplacement?.(replacement, approved)
      if (!approved) {
        ctx.recorder.finding({
          id: 'build-would-replace-engine',
          status: 'warn',
          title: 'Not built: the build would replace the running dev engine',
          detail: replacement.why,
          fix: 'Approve it when asked, or run `dagger-explore engine build --yes`.',
        })
        return
      }
      const output = new BuildOutput()
      const view = new BuildViewModel(output)
      if (hooks.onBuildStart) hooks.onBuildStart({output, view, checkout})
      else ctx.live?.({kind: 'build', view})
      const result = await buildDevEngine({checkout, env: ctx.env, rec: ctx.recorder, notesDir: ctx.notesDir, output, signal: ctx.signal})
      const registryRefs = report(ctx, result)
      hooks.onBuildEnd?.(result)
      return {data: {registryRefs}}
    },
  }
}

export const buildCell: CellDefinition<'build'> = makeBuildCell()
