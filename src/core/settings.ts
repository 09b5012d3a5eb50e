/** The global options every command and cell reads, parsed once by the CLI (contract shared by the cli and cells lanes). */
export interface Settings {
  readonly plain: boolean
  readonly json: boolean
  readonly color: boolean
  readonly verbose: boolean
  readonly guided: boolean
  readonly resume: boolean
  /** `--resume-any-checkout`: carry on a session recorded for another checkout. */
  readonly resumeAnyCheckout?: boolean
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
  /** `--timeout` as given, absent without it: for commands whose wait is another one (diagnose's per layer). */
  readonly timeoutMs?: number
}

/** The name the CLI modules use for the settings they parse. */
export type GlobalSettings = Settings
