/** The global options, parsed once by the CLI and handed to every mode, command and cell. */
export interface Settings {
  readonly plain: boolean
  readonly json: boolean
  readonly color: boolean
  readonly verbose: boolean
  readonly guided: boolean
  readonly resume: boolean
  readonly yes: boolean
  readonly notesDir: string
  readonly cwd: string
  readonly daggerSrc?: string
  readonly refs?: string
  readonly registryHost?: string
  readonly control?: string
  readonly image?: string
  readonly daemonConfig?: string
  readonly dockerTimeoutMs: number
}

/**
The settings plus the options bag cells read today (CellContext.options): only the options that were
given, so each cell keeps its own default for the rest (a cell's `timeoutMs` is absent unless --timeout was).
*/
export interface GlobalSettings extends Settings {
  readonly cellOptions: Readonly<Record<string, string | number | boolean | undefined>>
}
