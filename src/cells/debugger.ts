import {classifyDockerError} from '../core/docker/client.js'
import {probeDebugger, type DebuggerReport} from '../core/recipes/debugger-probe.js'
import {DELVE_KILL_PROMPT, delveNoDebugInfoRefusal} from '../core/recipes/delve-facts.js'
import {explainDebuggability} from '../core/recipes/elf.js'
import {devNames} from '../core/engine/names.js'
import type {Recorder} from '../core/notebook/recorder.js'
import type {CellContext, CellDefinition} from './cell.js'

const RECIPE = 'debugger-attach'
const DOCS = 'https://github.com/go-delve/delve/blob/master/Documentation/usage/dlv_attach.md'
// Copying a 100 MB engine binary out of the container takes longer than a plain API call.
const MIN_TIMEOUT_MS = 10_000

function timeoutOf(ctx: CellContext): number {
  return Math.max(MIN_TIMEOUT_MS, ctx.settings.dockerTimeoutMs)
}

/** Docker API paths shown in the notebook for each part of the probe. */
function apiArgv(what: string, container: string): string[] {
  switch (what) {
    case 'engine container':
      return ['GET', `/containers/${container}/json`]
    case 'dlv image':
      return ['GET', '/images/json (+ inspect, HEAD /containers/{peek}/archive for dlv)']
    case 'engine PID':
      return ['GET', `/containers/${container}/top`]
    case 'engine binary sections':
      return ['POST', `/containers/${container}/exec`, 'stat + dd: the ELF section headers of the engine binary (a stopped container: GET /archive)']
    default:
      return ['GET', what]
  }
}

function describe(what: string, value: unknown): string {
  if (value === undefined) return 'none'
  if (what === 'engine binary sections') {
    const elf = value as {sections: {name: string}[]; machine: string; bits: number}
    return `ELF${elf.bits} ${elf.machine}, sections: ${elf.sections.map((s) => s.name).filter(Boolean).join(' ')}`
  }
  return JSON.stringify(value, null, 2)
}

/** The recipe's rebuild steps, in the order they run: each is shown and confirmed before it runs. */
const REBUILD = `dagger-explore recipe ${RECIPE} --run --step build-unstripped --step debug-image --step restart-debug-engine`

/** Symbols and DWARF, or why they could not be checked. */
function elfFindings(recorder: Recorder, report: DebuggerReport, where: string): void {
  if (report.elf) {
    const {debuggable, summary} = explainDebuggability(report.elf)
    const how = report.binaryImage ? `read from the image ${report.binaryImage}` : report.elf.readBy === 'exec' ? 'section table read in the container' : 'copied out of the container'
    recorder.fact('Engine binary', `${report.binaryPath ?? ''}: ELF${report.elf.bits} ${report.elf.machine}, .symtab ${report.elf.hasSymtab ? 'yes' : 'no'}, DWARF ${report.elf.hasDwarf ? 'yes' : 'no'} (${how})`)
    const rebuild = `Rebuild the engine unstripped from your checkout (\`go build -gcflags='all=-N -l'\`, no \`-s -w\`), put it in a derived image and restart ${report.engine?.name ?? 'the dev engine'} on it with the same name, volume and flags: \`${REBUILD}\` shows each command and asks before it runs.`
    if (debuggable) {
      recorder.finding({id: 'debugger-engine-symbols', status: 'pass', title: 'The engine binary has symbols and DWARF', detail: summary})
    } else if (!report.elf.hasDwarf) {
      const refusal = delveNoDebugInfoRefusal(report.pid?.pid ?? 'PID')
      recorder.finding({
        id: 'debugger-engine-stripped',
        status: 'fail',
        title: 'The engine binary has no DWARF: Delve refuses to attach to it',
        detail: `${summary} Delve answers \`dlv attach\` on it with: \`${refusal}\``,
        fix: rebuild,
        recipe: RECIPE,
        docs: DOCS,
      })
    } else {
      recorder.finding({id: 'debugger-engine-stripped', status: 'warn', title: 'The engine binary has DWARF but no symbol table', detail: `${summary} Whether Delve attaches to such a binary has not been checked here.`, fix: rebuild, recipe: RECIPE, docs: DOCS})
    }
    return
  }
  if (report.elfError === undefined) return
  recorder.finding({
    id: 'debugger-engine-binary-unreadable',
    status: 'warn',
    title: 'Could not read the engine binary',
    detail: `Reading ${report.binaryPath ?? '/usr/local/bin/dagger-engine'} from ${where} to check for symbols failed: ${report.elfError}.`,
    fix: `Check by hand with the "sections" step of the ${RECIPE} recipe (\`dagger-explore recipe ${RECIPE} --run --step sections\`), which copies the binary out and lists its sections with readelf.`,
    recipe: RECIPE,
  })
}

function reportFindings(recorder: Recorder, report: DebuggerReport, container: string): void {
  const {engine} = report
  if (!engine) {
    recorder.finding({
      id: 'debugger-engine-missing',
      status: 'fail',
      title: `No ${container} container to debug`,
      detail: `Delve attaches to the running engine process, and there is no container called ${container} (nor any dagger-engine-* one).`,
      fix: 'Build and start the dev engine first: run `./hack/dev` in your dagger checkout, or the Launch engine step (`dagger-explore check launch`).',
    })
    // The dev image may be there already: its symbols decide whether to rebuild before starting it.
    elfFindings(recorder, report, `the image ${report.binaryImage ?? 'localhost/dagger-engine.dev'}`)
    return
  }
  recorder.fact('Engine container', `${engine.name} (${engine.status}, image ${engine.image})`)
  if (!engine.running) {
    recorder.finding({
      id: 'debugger-engine-stopped',
      status: 'fail',
      title: `${engine.name} is not running`,
      detail: `The container exists but is ${engine.status}, so there is no engine process to attach to.`,
      fix: `Start it with \`docker start ${engine.name}\`, then check its log (\`docker logs --tail 50 ${engine.name}\`) if it stops again.`,
    })
    elfFindings(recorder, report, `the stopped container ${engine.name}`)
    return
  }

  if (report.pid) {
    recorder.fact('Engine PID in the container', `${report.pid.pid} (host PID ${report.pid.hostPid})`)
    recorder.finding(
      report.pid.underInit
        ? {
            id: 'debugger-engine-under-init',
            status: 'pass',
            title: `The engine is PID ${report.pid.pid}, not PID 1`,
            detail: `PID 1 is \`${report.pid.initCommand ?? 'an init process'}\` (newer engine images run the engine under tini), so \`dlv attach 1\` targets that, not the engine (Delve refuses tini: \`${delveNoDebugInfoRefusal(1)}\`); ${report.pid.how}. The recipe attaches to ${report.pid.pid}.`,
            recipe: RECIPE,
          }
        : {id: 'debugger-engine-pid', status: 'pass', title: 'The engine is PID 1 in its container', detail: 'The entrypoint execs the engine, so `dlv attach 1` targets it.', recipe: RECIPE},
    )
  } else {
    recorder.finding({
      id: 'debugger-engine-pid-unknown',
      status: 'warn',
      title: "Could not find the engine's PID",
      detail: `${report.pidError ?? 'The process table did not show the engine.'} Without it the recipe attaches to PID 1, which is tini in newer engine images, not the engine.`,
      fix: `List the processes yourself: \`docker exec ${engine.name} ps\` (or the engine-processes step of the ${RECIPE} recipe) and pass the engine's PID with --var engine_pid=N.`,
      recipe: RECIPE,
    })
  }

  elfFindings(recorder, report, `the container ${engine.name}`)

  if (report.dlv) {
    recorder.fact('Delve image', `${report.dlv.image} (${report.dlv.path})`)
    recorder.finding({id: 'debugger-dlv-image', status: 'pass', title: `Delve is available in ${report.dlv.image}`, detail: report.dlv.how})
  } else {
    recorder.finding({
      id: 'debugger-no-dlv-image',
      status: 'warn',
      title: 'No local image has Delve (dlv)',
      detail: `Delve runs from a local image, in a container that joins the engine's PID namespace: ${report.dlvNote}.`,
      fix: `Make one from the dlv on this machine: \`dagger-explore recipe ${RECIPE} --run --step build-dlv-image\` copies dlv and the libraries it links into an image with \`docker import\`; or pass an image you have with --var dlv_image=IMAGE.`,
      recipe: RECIPE,
    })
  }

  if (report.pprofUrl) {
    recorder.fact('Debug server (pprof)', `${report.pprofUrl}/debug/pprof/ ${report.pprofAnswers ? 'answers' : 'does not answer'}`)
    if (!report.pprofAnswers) {
      recorder.finding({
        id: 'debugger-pprof-silent',
        status: 'warn',
        title: 'Port 6060 is published but pprof does not answer',
        detail: `The container publishes 6060, but ${report.pprofUrl}/debug/pprof/ gave no answer, as happens when the engine runs without --debugaddr or with it on 127.0.0.1 inside the container.`,
        fix: 'Start the engine with `--debugaddr=0.0.0.0:6060` (newer `./hack/dev` does), or use Delve instead.',
        recipe: RECIPE,
      })
    }
  } else {
    recorder.fact('Debug server (pprof)', 'not published (engines from ./hack/dev before v0.9.11 publish no port 6060)')
  }

  // Ready means the recipe's attach works: a PID, a Delve image and a binary with DWARF (without it Delve refuses).
  const debuggable = report.elf?.hasDwarf === true
  const missing = [report.pid ? undefined : "the engine's PID", report.dlv ? undefined : 'an image with dlv', debuggable ? undefined : report.elf ? 'an engine binary with DWARF' : 'a check that the engine binary has DWARF'].filter(Boolean)
  recorder.finding(
    missing.length === 0
      ? {
          id: 'debugger-ready',
          status: 'pass',
          title: `Ready to attach Delve to PID ${report.pid?.pid}`,
          detail: `Open the ${RECIPE} recipe: it runs \`docker run -it --privileged --rm --pid=container:${engine.name} --entrypoint ${report.dlv?.path} ${report.dlv?.image} attach ${report.pid?.pid}\` and hands the terminal over. Leave with \`exit\` and answer \`n\` to "${DELVE_KILL_PROMPT}", or the engine is killed.`,
          recipe: RECIPE,
        }
      : {
          id: 'debugger-not-ready',
          status: debuggable || !report.elf ? 'warn' : 'fail',
          title: debuggable || !report.elf ? 'Not ready to attach Delve yet' : 'Delve cannot attach to this engine',
          detail: `Missing: ${missing.join(' and ')}.`,
          fix: `Follow the ${RECIPE} recipe: it shows how to get each missing part.`,
          recipe: RECIPE,
        },
  )
}

/** Debugger: is the engine attachable, with which PID, with symbols, and from which Delve image. */
export const debuggerCell: CellDefinition<'debugger'> = {
  id: 'debugger',
  async run(ctx) {
    const timeoutMs = timeoutOf(ctx)
    const container = ctx.tuning.engineContainer ?? devNames(ctx.env).container
    const docker = await ctx.docker.client(timeoutMs)
    let report: DebuggerReport
    try {
      report = await probeDebugger(docker, {
        timeoutMs,
        container,
        ...(ctx.tuning.engineImage === undefined ? {} : {image: ctx.tuning.engineImage}),
        localDaemon: ctx.docker.local,
        step: (what, run) => ctx.recorder.call('api', apiArgv(what, container), run, (value) => describe(what, value)),
      })
    } catch (error) {
      const failure = classifyDockerError(error)
      ctx.recorder.finding({
        id: 'debugger-docker-unreachable',
        status: 'fail',
        title: 'Could not ask Docker about the engine',
        detail: `The Docker daemon at ${ctx.docker.host} did not answer: ${failure.message}.`,
        fix: 'Run the Environment step first; it says why the daemon cannot be reached and how to fix it.',
      })
      return
    }
    reportFindings(ctx.recorder, report, container)
  },
}
