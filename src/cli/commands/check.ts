import {CELLS, findCell} from '../../cells/registry.js'
import {EXIT, UsageError, type CommandMain} from '../io.js'
import {parseCommandArgs} from '../settings.js'
import {runPlain} from '../run-plain.js'

const HELP = `Usage: dagger-explore check [CELL...] [--json] [--notes-dir DIR] [--timeout MS] [-v]

Runs the chosen cells (all, in order, when none is named) without prompting and prints plain lines,
or one JSON object per finished cell with --json. The session log is saved as usual.

Cells
${CELLS.map((c) => `  ${c.id.padEnd(13)}${c.title}: ${c.summary}`).join('\n')}

Examples
  dagger-explore check environment
  dagger-explore check environment daemon --json
`

export const main: CommandMain = async (argv, io, before) => {
  const {values, positionals, settings} = parseCommandArgs(argv, {}, before, io)
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  const cells = positionals.map((name) => {
    const cell = findCell(name)
    if (!cell) throw new UsageError(`"${name}" is not a cell.`, {fix: `Name one of the cells: ${CELLS.map((c) => c.id).join(', ')}; e.g. \`dagger-explore check environment\`.`})
    return cell
  })
  return runPlain({...settings, plain: true}, io, cells)
}
