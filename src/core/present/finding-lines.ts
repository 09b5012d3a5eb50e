import type {Finding} from '../types.js'
import {fixesShownOnce, sameFixText} from './cell-blocks.js'
import {paintStatus, statusMark} from './status.js'

export interface FindingLineOptions {
  readonly color: boolean
  /** In front of the status mark; the Why/Fix lines sit four columns deeper. Default two spaces. */
  readonly indent?: string
  /** Put before a finding's title, e.g. "line 3, column 5: " for a daemon.json finding. */
  readonly prefix?: (f: Finding) => string
}

/** Lines of one finding: mark and title; for a problem its why, fix (or "same as … above"), recipe and docs. */
export function findingBlockLines(f: Finding, problem: boolean, sameFixAs: string | undefined, options: FindingLineOptions): string[] {
  const indent = options.indent ?? '  '
  const deeper = `${indent}    `
  const out: string[] = []
  const hang = (prefix: string, value: string): void => {
    value.split('\n').forEach((line, i) => out.push((i === 0 ? prefix : ' '.repeat(prefix.length)) + line))
  }
  hang(`${indent}${paintStatus(f.status, statusMark(f.status), options.color)} `, `${options.prefix?.(f) ?? ''}${f.title}`)
  if (!problem) return out
  if (f.detail) hang(`${deeper}Why: `, f.detail)
  if (sameFixAs !== undefined) out.push(`${deeper}Fix: ${sameFixText(sameFixAs)}`)
  else if (f.fix) hang(`${deeper}Fix: `, f.fix)
  if (f.recipe) out.push(`${deeper}Recipe: dagger-explore recipe ${f.recipe}`)
  if (f.docs) out.push(`${deeper}Docs: ${f.docs}`)
  return out
}

/**
Findings as text lines the way `check` prints a cell's (the same blocks as the TUI): in the producer's
order, why and fix for problems only, a fix repeated from an earlier finding shown once.
For subcommands that print findings of their own (engine build, tree --components, daemon-config).
*/
export function findingLines(findings: readonly Finding[], options: FindingLineOptions): string[] {
  return fixesShownOnce(findings).flatMap(({finding, sameFixAs}) => findingBlockLines(finding, finding.status !== 'pass', sameFixAs, options))
}
