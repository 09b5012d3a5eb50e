import {cellBlocks, commandPrompt, commandTail} from '../core/present/cell-blocks.js'
import {pollOf} from '../core/present/polls.js'
import {findingBlockLines} from '../core/present/finding-lines.js'
import {findingJson} from '../core/present/finding-json.js'
import {paintStatus} from '../core/present/status.js'
import {displayArgv, formatDuration, STATUS_LABEL} from '../core/notebook/markdown.js'
import type {CellResult} from '../core/types.js'

/**
Plain lines for one finished cell: readable by a person, a screen reader or grep; the label never
depends on colour. Same blocks, order and output limit as the TUI (core/present/cell-blocks).
*/
export function renderCellPlain(result: CellResult, options: {color: boolean; verbose?: boolean}): string {
  const out: string[] = []
  const hang = (prefix: string, value: string): string[] => value.split('\n').map((line, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + line)
  out.push(`${paintStatus(result.status, `[${STATUS_LABEL[result.status]}]`, options.color)} ${result.title} (${formatDuration(result.durationMs)})`)
  for (const block of cellBlocks(result)) {
    if (block.kind === 'finding') {
      out.push(...findingBlockLines(block.finding, block.problem, block.sameFixAs, {color: options.color}))
    } else if (block.kind === 'facts') {
      for (const fact of block.facts) out.push(...hang(`    ${fact.label}: `, fact.value))
    } else if (block.kind === 'command') {
      const c = block.command
      out.push(`    ${commandPrompt(c)} ${displayArgv(c.argv)}  ${commandTail(c)}`)
      if (!options.verbose) continue
      for (const line of block.excerpt) out.push(`      | ${line}`)
      if (block.more > 0) out.push(`      | … ${block.more} more lines in the session log`)
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
    findings: result.findings.map((f) => findingJson(f)),
    commands: result.commands.map((c) => {
      const poll = pollOf(c)
      return {
        kind: c.kind,
        argv: c.argv,
        exitCode: c.exitCode,
        output: c.output,
        startedAt: c.startedAt,
        durationMs: c.durationMs,
        // A poll is one record: how many identical calls, over how long, and the first answer when the last differs.
        count: poll?.count ?? 1,
        overSeconds: poll?.overSeconds ?? null,
        firstOutput: poll?.firstAnswer ?? null,
      }
    }),
  }
}
