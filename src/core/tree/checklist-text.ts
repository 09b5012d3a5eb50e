import {sanitize} from '../notebook/sanitize.js'
import type {Checklist, ChecklistItem} from './components.js'
import {formatSize} from './render.js'

const MARK: Record<ChecklistItem['state'], string> = {present: 'ok  ', missing: 'MISS', empty: 'MISS', problem: 'WARN'}

function itemLine(item: ChecklistItem, width: number): string {
  const size = item.size === undefined ? '' : formatSize(item.size)
  const mode = item.mode ? item.mode : ''
  const extra: string[] = []
  if (item.matches && item.matches.length > 0 && item.path.includes('*')) extra.push(`${item.matches.length} files`)
  if (item.link) extra.push(`-> ${sanitize(item.link)}`)
  if (item.problem) extra.push(sanitize(item.problem))
  if (item.state === 'missing' && !item.problem) extra.push(item.severity === 'fail' ? 'required' : 'optional')
  if (item.version) extra.push(item.version)
  return `  ${MARK[item.state]}  ${item.path.padEnd(width)}  ${mode.padEnd(4)}  ${size.padStart(8)}  ${extra.join('  ')}`.trimEnd()
}

/** The checklist as plain lines: components, then packages. */
export function checklistText(checklist: Checklist, targetName: string): string {
  const lines: string[] = []
  const os = checklist.os ? `, ${sanitize(checklist.os)}` : ''
  lines.push(`Components of ${sanitize(targetName)}: ${checklist.eraTitle}${os}`)
  lines.push(`  (layout from ${checklist.eraSource}; era ${checklist.confident ? 'recognised' : 'NOT recognised'}${checklist.eraReasons.length ? `: ${checklist.eraReasons.join(', ')}` : ''})`)
  const width = Math.max(...checklist.items.map((i) => i.path.length), 10)
  for (const item of checklist.items) lines.push(itemLine(item, width))
  if (checklist.packages === undefined) {
    lines.push('Packages: no package database in the image')
  } else {
    lines.push(`Packages (${checklist.packageDb}, ${checklist.installedCount} installed)`)
    for (const p of checklist.packages) {
      lines.push(`  ${p.present ? 'ok  ' : 'MISS'}  ${p.name.padEnd(18)}  ${p.present ? sanitize(p.version ?? '') : p.severity === 'fail' ? 'required' : 'optional'}`.trimEnd())
    }
  }
  const missing = checklist.items.filter((i) => i.state === 'missing' || i.state === 'empty').length
  const missingPkgs = (checklist.packages ?? []).filter((p) => !p.present).length
  const present = checklist.items.length - missing
  const pkgText = checklist.packages ? `, ${checklist.packages.length - missingPkgs} of ${checklist.packages.length} packages` : ''
  lines.push(`${present} of ${checklist.items.length} components present${pkgText}.`)
  return `${lines.join('\n')}\n`
}

/** The checklist for `--json`, without the full installed package list's provides. */
export function checklistJson(checklist: Checklist): Record<string, unknown> {
  const {installed, items, ...rest} = checklist
  return {
    ...rest,
    items: items.map(({node: _node, ...item}) => item),
    installed: installed.map((p) => ({name: p.name, version: p.version})),
  }
}
