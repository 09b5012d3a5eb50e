import type {CellId} from '../core/types.js'
import type {CellDefinition} from './cell.js'

export interface CellEntry {
  readonly id: CellId
  readonly title: string
  readonly summary: string
  /** Loads the cell's code on demand so start-up never pays for cells that are not run; absent until it exists. */
  readonly load?: () => Promise<CellDefinition>
  /** Shown for a step that is not built yet. */
  readonly pending?: string
}

/** The notebook's steps, in the order of the journey. */
export const CELLS: readonly CellEntry[] = [
  {
    id: 'environment',
    title: 'Environment',
    summary: 'OS, kernel, architecture, Node, cgroups, and which Docker daemon this machine talks to and why.',
    load: async () => (await import('./environment.js')).environmentCell,
  },
  {
    id: 'daemon',
    title: 'Docker daemon',
    summary: 'The daemon config in force, linted as dockerd reads it and compared with the running daemon.',
    load: async () => (await import('./daemon.js')).daemonCell,
  },
  {
    id: 'registry',
    title: 'Registry',
    summary: 'A layered probe of the registries the dev build pulls from, with a control registry.',
    pending: 'Not available yet: the Registry cell is still being built.',
  },
  {
    id: 'build',
    title: 'Build engine',
    summary: "The dagger checkout's own dev build, run and explained.",
    load: async () => (await import('./build.js')).buildCell,
  },
  {
    id: 'launch',
    title: 'Launch engine',
    summary: 'Load, tag and start dagger-engine.dev, and tidy old engines.',
    load: async () => (await import('./launch.js')).launchCell,
  },
  {
    id: 'components',
    title: 'Components',
    summary: "The engine image's filetree checked against what the engine needs.",
    pending: 'Not available yet: the Components cell is still being built.',
  },
  {
    id: 'debugger',
    title: 'Debugger',
    summary: 'Attach Delve to the running engine.',
    load: async () => (await import('./debugger.js')).debuggerCell,
  },
]

export function findCell(id: string): CellEntry | undefined {
  return CELLS.find((c) => c.id === id)
}
