import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {checklistText} from '../core/tree/checklist-text.js'
import {checklistFindings, missingItems} from '../core/tree/components.js'
import {localReferenceProblem} from '../core/registry/local-reference.js'
import type Docker from 'dockerode'
import {readFileHead, STREAM_IDLE_TIMEOUT_MS, TreeTargetError} from '../core/tree/docker-source.js'
import {devNames} from '../core/engine/names.js'
import {withProgress} from '../core/engine/wait-progress.js'
import {collectVersions, defaultEngineTarget, inspectTarget, VERSION_TIMEOUT_MS, type TreeInspection} from '../core/tree/inspect.js'
import {formatSize, treeText} from '../core/tree/render.js'
import {KIND} from '../core/tree/types.js'
import type {CellContext, CellDefinition, ComponentsView} from './cell.js'

export type {ComponentsView} from './cell.js'

/** How much of a file the explorer shows. */
export const OPEN_FILE_BYTES = 64 * 1024

function sidecarName(now = new Date()): string {
  return `components-${now.toISOString().replace(/[:.]/g, '-')}.txt`
}

async function chooseTarget(ctx: CellContext, docker: Docker): Promise<{ref: string; prefer?: 'image' | 'container'} | undefined> {
  const given = ctx.settings.image
  if (given !== undefined && given !== '') return {ref: given}
  // The same names the Launch cell uses, including hack/build's knobs for them.
  const names = devNames(ctx.env)
  return ctx.recorder.call(
    'api',
    ['GET', `/containers/${names.container}/json`, 'then', 'GET', `/images/${names.image}/json`],
    () => defaultEngineTarget(docker, names),
    (found) => (found ? `using the ${found.prefer} ${found.ref}` : `neither a running ${names.container} container nor the ${names.image} image exists`),
  )
}

export const componentsCell: CellDefinition<'components'> = {
  id: 'components',
  async run(ctx) {
    const rec = ctx.recorder
    // The modem's timeout is an idle timeout on the socket, which is what a long export stream needs.
    const docker = await ctx.docker.client(STREAM_IDLE_TIMEOUT_MS)
    const chosen = await chooseTarget(ctx, docker).catch((error: unknown) => error as Error)
    if (chosen instanceof Error) {
      rec.finding({
        id: 'components-docker-unreachable',
        status: 'skipped',
        title: 'Could not ask Docker for the engine',
        detail: `Docker did not answer while looking for ${devNames(ctx.env).container} and ${devNames(ctx.env).image}: ${chosen.message}`,
        fix: 'Get the Docker daemon answering first (the Environment and Docker daemon steps), then run this step again.',
      })
      return
    }
    if (chosen === undefined) {
      rec.finding({
        id: 'components-no-engine',
        status: 'skipped',
        title: 'No dev engine image or container to check yet',
        detail: `Neither a running ${devNames(ctx.env).container} container nor the ${devNames(ctx.env).image} image exists, so there is nothing to compare with the engine layout.`,
        fix: 'Build and load the engine first (the Build engine and Launch engine steps), or name an image: `dagger-explore tree IMAGE --components`.',
      })
      return
    }
    const badName = localReferenceProblem(chosen.ref)
    if (badName !== undefined) {
      rec.finding({id: 'components-image-invalid', status: 'fail', title: 'The image or container name is not valid', detail: badName, fix: 'Correct --image and run this step again.'})
      return
    }
    const era = ctx.tuning.era
    let inspection: TreeInspection
    try {
      inspection = await rec.call(
        'api',
        ['GET', `/${chosen.prefer === 'container' ? 'containers' : 'images'}/${chosen.ref}/${chosen.prefer === 'container' ? 'export' : 'get'}`],
        () => inspectTarget(docker, chosen.ref, {...(chosen.prefer ? {prefer: chosen.prefer} : {}), ...(era ? {era} : {}), signal: ctx.signal}),
        (r) => {
          let files = 0
          for (const n of r.tree.walk()) if (r.tree.kinds[n] !== KIND.dir) files++
          return `${r.target.kind} ${r.target.name}: ${r.image.layout} layout, ${r.image.layers.length} layer(s), ${files} files, read in ${r.durationMs} ms`
        },
      )
    } catch (error) {
      if (error instanceof TreeTargetError && error.reason === 'not-found') {
        rec.finding({id: 'components-target-missing', status: 'fail', title: `No image or container called ${chosen.ref}`, detail: error.message, fix: 'Check the name with `docker images` and `docker ps -a`; images are never pulled by this step.'})
        return
      }
      throw error
    }
    const {target, image, tree} = inspection
    const live = ctx.live
    const asked = inspection.checklist.items.filter((i) => i.versionCommand && i.state !== 'missing').length
    const checklist = await withProgress(collectVersions(docker, target, inspection.checklist, {
      timeoutMs: VERSION_TIMEOUT_MS,
      onExec: (argv, outcome) =>
        rec.record({
          kind: 'api',
          argv: ['POST', `/containers/${target.name}/exec`, ...argv],
          exitCode: outcome instanceof Error ? 1 : (outcome.exitCode ?? null),
          output: outcome instanceof Error ? outcome.message : `${outcome.output}${outcome.timedOut ? `\n(no answer within ${VERSION_TIMEOUT_MS} ms; ${outcome.killed?.stopped === false ? `not killed: ${outcome.killed.how}` : `killed: ${outcome.killed?.how ?? 'ended'}`})` : ''}`,
          startedAt: new Date().toISOString(),
          durationMs: 0,
        }),
    }), `asking ${target.name}'s binaries for their versions (docker exec … --version, ${asked} commands)`, Math.max(1, asked) * VERSION_TIMEOUT_MS, live === undefined ? undefined : (p) => live({kind: 'progress', ...p}))
    const view: ComponentsView = {
      kind: 'components',
      inspection,
      checklist,
      readFile: async (p) => (await readFileHead(docker, target, p, OPEN_FILE_BYTES, {image, tree}))?.toString('utf8'),
    }

    rec.fact('Target', `${target.kind} ${target.name}${target.kind === 'container' ? (target.running ? ' (running)' : ' (stopped)') : ''}`)
    rec.fact('Layout', `${checklist.eraTitle}${checklist.confident ? '' : ' (not recognised)'}; ${checklist.eraReasons.join(', ') || 'no markers found'}`)
    if (checklist.os) rec.fact('OS', checklist.os)
    rec.fact('Image', `${image.layout}, ${image.layers.length} layer(s), ${formatSize(tree.totals[0] ?? 0)}`)
    if (checklist.packageDb) rec.fact('Packages', `${checklist.installedCount} installed (${checklist.packageDb})`)
    for (const item of checklist.items) if (item.version) rec.fact(`${item.id} version`, item.version)
    const entrypoint = image.config?.entrypoint
    if (entrypoint) rec.fact('Entrypoint', entrypoint.join(' '))
    for (const p of ['/etc/dagger/engine.toml', '/etc/dagger/engine.json']) {
      const head = await readFileHead(docker, target, p, 2048, {image, tree}).catch(() => undefined)
      if (head !== undefined) rec.fact(p, head.length === 0 ? '(empty)' : head.toString('utf8').trim())
    }

    for (const finding of checklistFindings(checklist, target.name)) rec.finding(finding)

    try {
      await mkdir(ctx.notesDir, {recursive: true})
      const file = path.join(ctx.notesDir, sidecarName())
      await writeFile(file, `${checklistText(checklist, target.name)}\n${treeText(tree)}`)
      rec.sidecars.push(path.relative(ctx.notesDir, file))
      const missing = missingItems(checklist)
      rec.fact('Checklist', `${checklist.items.length - missing.components.length} of ${checklist.items.length} components present; checklist and full tree in ${path.basename(file)}`)
    } catch {
      // The notes folder is not writable: the findings above still say everything that matters.
    }
    return {view}
  },
}
