import type {CellId, CellResult} from '../types.js'

/**
Recipe variables the notebook already knows from the Debugger cell's facts (the cell writes them in
these shapes), so an opened recipe does not have to detect them again. Unknown or odd values are
left out: detection fills them in.
*/
export function sessionValuesFrom(results: ReadonlyMap<CellId, CellResult>): Record<string, string> {
  const out: Record<string, string> = {}
  const facts = new Map((results.get('debugger')?.facts ?? []).map((f) => [f.label, f.value]))
  const container = /^(\S+) \((\w+), image (\S+)\)$/.exec(facts.get('Engine container') ?? '')
  if (container) {
    out.engine_container = container[1] ?? ''
    out.engine_image = container[3] ?? ''
  }
  const pid = /^(\d+) \(host PID \d+\)$/.exec(facts.get('Engine PID in the container') ?? '')?.[1]
  if (pid !== undefined) out.engine_pid = pid
  const dlv = /^(\S+) \((\S+)\)$/.exec(facts.get('Delve image') ?? '')
  if (dlv) {
    out.dlv_image = dlv[1] ?? ''
    out.dlv_path = dlv[2] ?? ''
  }
  const pprof = /^(http:\/\/127\.0\.0\.1:\d+)\/debug\/pprof\/ answers$/.exec(facts.get('Debug server (pprof)') ?? '')?.[1]
  if (pprof !== undefined) out.pprof_url = pprof
  return out
}
