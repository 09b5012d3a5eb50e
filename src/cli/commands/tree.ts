import {sanitize} from '../../core/notebook/sanitize.js'
import {checklistJson, checklistText} from '../../core/tree/checklist-text.js'
import {checklistFindings, ERAS, missingItems} from '../../core/tree/components.js'
import {STREAM_IDLE_TIMEOUT_MS, TreeTargetError} from '../../core/tree/docker-source.js'
import {dockerService} from '../../core/docker/service.js'
import {collectVersions, inspectTarget} from '../../core/tree/inspect.js'
import {mergeLayers} from '../../core/tree/merge.js'
import {changesOf, formatSize, layerSummaries, treeJsonChunks, treeTextChunks} from '../../core/tree/render.js'
import {writeFailure} from '../report.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from '../io.js'
import {parseCommandArgs} from '../settings.js'
import {findingJson} from '../../core/present/finding-json.js'
import {findingLines} from '../../core/present/finding-lines.js'

const HELP = `Usage: dagger-explore tree IMAGE|CONTAINER [--components] [--json] [--layer N] [--changes]

Prints the filetree of an image or a container, read through the Docker API (nothing is pulled or
unpacked to disk), like dive's file view: mode, uid:gid, size, tree, "-> target" for links.
Works with both Docker image stores (classic and containerd).

Options
  --components     check the tree against what the Dagger engine needs (runc, buildctl, CNI
                   plugins, SDKs, engine config, apk packages…) instead of printing it; for a
                   running container the binaries' versions are asked too
  --era ERA        compare with this layout instead of the detected one (${ERAS.map((e) => e.era).join(', ')})
  --layer N        the view as of layer N (0 = bottom); default the top layer
  --changes        only what that layer added, modified or removed
  --image          IMAGE names an image, even if a container has that name
  --container      CONTAINER names a container
  --json           print one JSON object on stdout and nothing else there
  -h, --help       this help

Examples
  dagger-explore tree localhost/dagger-engine.dev:latest --components
  dagger-explore tree dagger-engine.dev --json > engine-tree.json
  dagger-explore tree my-image:dev --layer 3 --changes

Exit codes: 0 done (with --components: every expected component is there), 1 with --components:
something is missing, or Docker failed; 2 bad usage or no such image or container.
`

const OPTIONS = {
  components: {type: 'boolean'},
  era: {type: 'string'},
  layer: {type: 'string'},
  changes: {type: 'boolean'},
  image: {type: 'boolean'},
  container: {type: 'boolean'},
} as const


const HELP_FIX = 'See `dagger-explore tree --help`.'

function fail(io: CliIO, json: boolean, message: string, code: number, fix?: string): number {
  writeFailure(io, {message, fix}, {command: 'tree', json})
  return code
}

export const main: CommandMain = async (argv, io, before) => {
  let parsed
  try {
    // --image after the name is tree's switch; a global --image IMAGE before it names the image to read when no name is given.
    parsed = parseCommandArgs(argv, OPTIONS, before, io)
  } catch (error) {
    // The settings did not parse, so --json is read off the words themselves: a JSON caller still gets JSON.
    const json = argv.includes('--json') || before?.json === true
    return fail(io, json, (error instanceof Error ? error.message : String(error)).replace(/\.?$/, '.'), EXIT.usage, (error instanceof UsageError ? error.fix : undefined) ?? HELP_FIX)
  }
  const {values, positionals, settings} = parsed
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  const json = settings.json
  try {
    const byGlobal = positionals.length === 0 && settings.image !== undefined
    if (positionals.length !== 1 && !byGlobal) {
      throw new UsageError(`tree reads exactly one image or container; ${positionals.length === 0 ? 'none was given' : `${positionals.length} were given`}.`, {fix: 'Name one, e.g. `dagger-explore tree localhost/dagger-engine.dev:latest`.'})
    }
    if (values.image && values.container) throw new UsageError('--image and --container exclude each other.', {fix: 'Pass one of them, or neither to look the name up as both.'})
    if (values.era !== undefined && !ERAS.some((e) => e.era === values.era)) {
      throw new UsageError(`--era takes one of ${ERAS.map((e) => e.era).join(', ')}; "${values.era}" is not one.`, {fix: 'Pass one of those, or leave --era out to compare with the detected layout.'})
    }
    let layer: number | undefined
    if (values.layer !== undefined) {
      layer = Number(values.layer)
      if (!Number.isInteger(layer) || layer < 0) throw new UsageError(`--layer takes a layer number (0 is the bottom layer); "${values.layer}" is not one.`, {fix: 'Pass a whole number from 0 up, e.g. --layer 0.'})
    }
    const ref = byGlobal ? (settings.image as string) : (positionals[0] as string)
    const docker = await (await dockerService(io.env)).client(STREAM_IDLE_TIMEOUT_MS)
    const prefer = values.image || byGlobal ? 'image' : values.container ? 'container' : undefined
    const found = await inspectTarget(docker, ref, {...(prefer ? {prefer} : {}), ...(values.era ? {era: values.era} : {})})
    const name = found.target.name
    if (values.components) {
      const checklist = await collectVersions(docker, found.target, found.checklist)
      const findings = checklistFindings(checklist, name)
      const missing = missingItems(checklist)
      const code = missing.components.length + missing.packages.length > 0 ? EXIT.problem : EXIT.ok
      if (json) {
        io.stdout.write(`${JSON.stringify({ok: code === EXIT.ok, target: targetJson(found.target), checklist: checklistJson(checklist), findings: findings.map((f) => findingJson(f))}, null, 2)}\n`)
        return code
      }
      io.stdout.write(checklistText(checklist, name))
      // The checklist above lists what is there; below it only the problems, as `check components` shows them.
      const problems = findings.filter((f) => f.status !== 'pass')
      if (problems.length > 0) io.stdout.write(`\n${findingLines(problems, {color: io.color}).join('\n')}\n`)
      return code
    }
    const count = found.image.layers.length
    if (layer !== undefined && layer >= count) {
      throw new UsageError(`${name} has ${count} layer${count === 1 ? '' : 's'} (0 to ${count - 1}); there is no layer ${layer}.`, {fix: `Pass --layer ${count - 1} or lower, or leave it out for the merged view.`})
    }
    const view = layer === undefined || layer === count - 1 ? found.tree : mergeLayers(found.image.layers, layer)
    const changesOnly = values.changes === true
    if (json) {
      const extra = {ok: true, target: targetJson(found.target), ...(changesOnly ? {changes: changesOf(view)} : {})}
      if (changesOnly) io.stdout.write(`${JSON.stringify({...extra, viewLayer: view.viewLayer, layers: layerSummaries(found.image)})}\n`)
      else await writeAll(io.stdout, treeJsonChunks(found.image, view, extra), '\n')
      return EXIT.ok
    }
    io.stdout.write(`${name} (${found.target.kind}, ${found.image.layout}): ${count} layer${count === 1 ? '' : 's'}, viewing layer ${view.viewLayer}\n`)
    for (const l of layerSummaries(found.image)) {
      const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
      const extra = l.whiteouts + l.opaques > 0 ? `, ${plural(l.whiteouts, 'whiteout')}, ${plural(l.opaques, 'opaque dir')}` : ''
      io.stdout.write(`  ${l.index === view.viewLayer ? '>' : ' '} ${String(l.index).padStart(2)}  ${formatSize(l.bytes).padStart(8)}  ${String(l.entries).padStart(7)} entries${extra}  ${l.compression === 'none' ? '' : `${l.compression}  `}${l.key}\n`)
    }
    io.stdout.write('\n')
    await writeAll(
      io.stdout,
      changesOnly
        ? treeTextChunks(view, {show: {added: true, modified: true, removed: true, unmodified: false}, withChanges: true})
        : // The plain tree is the merged view: what the viewed layer removed shows only when a layer is picked.
          treeTextChunks(view, {withChanges: layer !== undefined, show: {added: true, modified: true, removed: layer !== undefined, unmodified: true}}),
    )
    return EXIT.ok
  } catch (error) {
    if (error instanceof UsageError) return fail(io, json, error.message, EXIT.usage, error.fix)
    if (error instanceof TreeTargetError) return fail(io, json, sanitize(error.message), error.exitCode, error.fix && sanitize(error.fix))
    return fail(io, json, sanitize(error instanceof Error ? error.message : String(error)), EXIT.problem)
  }
}

/** Writes pieces as the stream takes them, so a big tree is never held whole in the output buffer. */
async function writeAll(out: NodeJS.WritableStream, chunks: Iterable<string>, end = ''): Promise<void> {
  for (const chunk of chunks) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  if (end) out.write(end)
}

function targetJson(t: {kind: string; ref: string; id: string; name: string; running: boolean}): Record<string, unknown> {
  return {kind: t.kind, ref: t.ref, id: t.id, name: sanitize(t.name), running: t.running}
}
