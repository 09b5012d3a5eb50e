import {displayArgv, formatDuration, STATUS_GLYPH, STATUS_LABEL} from '../core/notebook/markdown.js'
import type {CellResult, Status} from '../core/types.js'

const COLOR: Record<Status, string> = {pass: '32', warn: '33', fail: '31', skipped: '90', crashed: '35'}

function paint(status: Status, text: string, color: boolean): string {
  return color ? `\u001B[${COLOR[status]}m${text}\u001B[39m` : text
}

const OUTPUT_LINES = 8

/** Plain lines for one finished cell: readable by a person, a screen reader or grep; the label never depends on colour. */
export function renderCellPlain(result: CellResult, options: {color: boolean; verbose?: boolean}): string {
  const out: string[] = []
  out.push(`${paint(result.status, `[${STATUS_LABEL[result.status]}]`, options.color)} ${result.title} (${formatDuration(result.durationMs)})`)
  for (const fact of result.facts) out.push(`    ${fact.label}: ${fact.value}`)
  for (const f of result.findings) {
    out.push(`  ${paint(f.status, `${STATUS_GLYPH[f.status]} ${STATUS_LABEL[f.status]}`, options.color)} ${f.title}`)
    if (f.status !== 'pass') {
      if (f.detail) out.push(`      Why: ${f.detail}`)
      if (f.fix) out.push(`      Fix: ${f.fix}`)
      if (f.recipe) out.push(`      Recipe: dagger-explore recipe ${f.recipe}`)
      if (f.docs) out.push(`      Docs: ${f.docs}`)
    }
  }
  for (const c of result.commands) {
    const prompt = c.kind === 'exec' ? '$' : c.kind === 'api' ? 'API' : 'read'
    out.push(`    ${prompt} ${displayArgv(c.argv)}  (${c.exitCode === null ? 'did not finish' : `exit ${c.exitCode}`}, ${formatDuration(c.durationMs)})`)
    if (options.verbose && c.output !== '') {
      const lines = c.output.split('\n')
      for (const line of lines.slice(0, OUTPUT_LINES)) out.push(`      | ${line}`)
      if (lines.length > OUTPUT_LINES) out.push(`      | … ${lines.length - OUTPUT_LINES} more lines in the session log`)
    }
  }
  return `${out.join('\n')}\n`
}

/**
The stable `--json` record of a cell (one JSON Lines object). Optional finding fields are always
present, as null when absent, so consumers can rely on the keys.
*/
export function cellJson(result: CellResult): Record<string, unknown> {
  return {
    cell: result.cell,
    title: result.title,
    status: result.status,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    facts: result.facts.map((f) => ({label: f.label, value: f.value})),
    findings: result.findings.map((f) => ({
      id: f.id,
      status: f.status,
      title: f.title,
      detail: f.detail ?? null,
      fix: f.fix ?? null,
      docs: f.docs ?? null,
      recipe: f.recipe ?? null,
    })),
    commands: result.commands.map((c) => ({
      kind: c.kind,
      argv: c.argv,
      exitCode: c.exitCode,
      output: c.output,
      startedAt: c.startedAt,
      durationMs: c.durationMs,
    })),
  }
}
