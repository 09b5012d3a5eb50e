import type {CellId} from '../core/types.js'
import type {CellDefinition} from './cell.js'

/**
One step of the notebook. Adding a cell is one `CellId` (core/types.ts), one entry in `CELLS` and one
file exporting a `CellDefinition`; title and summary live here only (the help and the log read them).
*/
export interface CellEntry {
  readonly id: CellId
  readonly title: string
  /** One sentence: what this cell checks. */
  readonly summary: string
  /** Loads the cell's code on demand so start-up never pays for cells that are not run; absent until it exists. */
  readonly load?: () => Promise<CellDefinition>
  /** Shown for a step that is not built yet. */
  readonly pending?: string
  /** What the cell looks at, so a remote Docker host can be named: the daemon, files on this machine, or the network from here. */
  readonly inspects?: 'daemon' | 'daemon-files' | 'network'
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
    inspects: 'daemon-files',
    title: 'Docker daemon',
    summary: 'The daemon config in force, linted as dockerd reads it and compared with the running daemon.',
    load: async () => (await import('./daemon.js')).daemonCell,
  },
  {
    id: 'registry',
    inspects: 'network',
    title: 'Registry',
    summary: 'A layered probe of the registries the dev build pulls from, with a control registry.',
    load: async () => (await import('./registry-cell.js')).registryCell,
  },
  {
    id: 'build',
    inspects: 'daemon',
    title: 'Build engine',
    summary: "The dagger checkout's own dev build, run and explained.",
    load: async () => (await import('./build.js')).buildCell,
  },
  {
    id: 'launch',
    inspects: 'daemon',
    title: 'Launch engine',
    summary: 'Load, tag and start dagger-engine.dev, and tidy old engines.',
    load: async () => (await import('./launch.js')).launchCell,
  },
  {
    id: 'components',
    inspects: 'daemon',
    title: 'Components',
    summary: "The engine image's filetree checked against what the engine needs.",
    load: async () => (await import('./components.js')).componentsCell,
  },
  {
    id: 'debugger',
    inspects: 'daemon',
    title: 'Debugger',
    summary: 'Attach Delve to the running engine.',
    load: async () => (await import('./debugger.js')).debuggerCell,
  },
]

export function findCell(id: string): CellEntry | undefined {
  return CELLS.find((c) => c.id === id)
}
