import os from 'node:os'
import {Recorder} from '../core/notebook/recorder.js'
import {sanitize} from '../core/notebook/sanitize.js'
import {worstStatus, type CellResult, type Finding} from '../core/types.js'
import type {CellContext, CellOutput} from './cell.js'
import type {CellEntry} from './registry.js'

/** A context without the recorder: each run records into a fresh one. */
export type RunContext = Omit<CellContext, 'recorder'>

/**
Runs one cell and turns whatever happened into a CellResult: a step that is not built yet is
`skipped` with that said plainly, and a cell that throws is `crashed` without taking the session down.
*/
export async function runCell(entry: CellEntry, context: RunContext): Promise<CellResult> {
  const started = new Date()
  const recorder = new Recorder(context.signal)
  let output: CellOutput<CellEntry['id']> | void = undefined
  if (entry.load && entry.inspects) nameRemoteHost(entry, context, recorder)
  if (!entry.load) {
    recorder.finding({
      id: `${entry.id}-not-available`,
      status: 'skipped',
      title: `${entry.title}: not available yet`,
      detail: entry.pending ?? 'This step is not built yet.',
      fix: 'Nothing to do here yet; the other steps work without it.',
    })
  } else {
    try {
      const cell = await entry.load()
      output = await cell.run({...context, recorder})
    } catch (error) {
      const interrupted = context.signal.aborted
      const finding: Finding = interrupted
        ? {id: `${entry.id}-interrupted`, status: 'skipped', title: `${entry.title} was interrupted`, detail: 'The session was stopped while this cell ran.', fix: 'Run the cell again.'}
        : {
            id: `${entry.id}-crashed`,
            status: 'crashed',
            title: `The ${entry.title} check did not complete`,
            detail: `Due to an error in dagger-explore itself the check stopped: ${sanitize(error instanceof Error ? error.message : String(error))}`,
            fix: 'Run it again with `r`; if it keeps crashing, report it with the session log attached.',
          }
      recorder.finding(finding)
    }
  }
  return {
    cell: entry.id,
    title: entry.title,
    status: worstStatus(recorder.findings),
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    facts: recorder.facts,
    findings: recorder.findings,
    commands: recorder.commands,
    ...(recorder.sidecars.length > 0 ? {sidecars: recorder.sidecars} : {}),
    ...(recorder.declinedAction === undefined ? {} : {declined: recorder.declinedAction}),
    ...(output?.data === undefined ? {} : {data: output.data}),
    ...(output?.view === undefined ? {} : {view: output.view}),
  }
}

/** With a remote daemon, every cell says which host it looks at, and what it can and cannot see from here. */
function nameRemoteHost(entry: CellEntry, context: RunContext, recorder: Recorder): void {
  const endpoint = context.docker.endpoint
  if (!endpoint || endpoint.local) return
  const here = os.hostname()
  switch (entry.inspects) {
    case 'daemon':
      recorder.fact('Docker host', `${endpoint.host}: the remote daemon (${endpoint.reason}) is the one inspected, not this machine (${here})`)
      break
    case 'daemon-files':
      recorder.fact('Docker host', `${endpoint.host} is remote: files read here (daemon.json, systemd units) belong to this machine (${here}), not to that daemon; only what its API reports describes it`)
      break
    case 'network':
      recorder.fact('Probed from', `this machine (${here}), not from the network of the Docker daemon at ${endpoint.host}; pulls happen there and may see a different network`)
      break
    default:
      break
  }
}
