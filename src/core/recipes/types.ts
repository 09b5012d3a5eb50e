import {DaggerExploreError} from '../errors.js'
/** A recipe: a markdown file in `recipes/` that people read on GitHub and the app can run step by step. */
export interface Recipe {
  /** File name without `.md`, e.g. `debugger-attach`. */
  readonly name: string
  readonly title: string
  readonly summary: string
  /** Ids of findings that suggest this recipe. */
  readonly suggestedBy: readonly string[]
  readonly variables: readonly RecipeVariable[]
  /** The notebook cell whose fix this is (`cell:` in the front matter): runs are logged under it. */
  readonly cell?: string
  /** The markdown after the front matter. */
  readonly body: string
  readonly steps: readonly RecipeStep[]
}

export interface RecipeVariable {
  /** Used in commands as `{{name}}`. */
  readonly name: string
  readonly description: string
  /** Used when nothing else gives a value. */
  readonly default?: string
  /** Name of a detector (see `detect.ts`) that finds the value on this machine. */
  readonly detect?: string
  /** A value must match this (anchored) regular expression, e.g. `[0-9]+` for a PID. */
  readonly pattern?: string
  /**
  The value is several arguments (`words: true`), e.g. the `docker run` options copied from a running
  container: written as shell-quoted words, checked to be nothing but words, and put in unquoted.
  */
  readonly words?: boolean
}

/** One fenced `console`/`sh` block. */
export interface RecipeStep {
  /** 0-based position among the recipe's steps. */
  readonly index: number
  /** From the block's `name=` attribute, else `step-<n>` (1-based). */
  readonly name: string
  /** The nearest heading above the block. */
  readonly title: string
  /** Commands with `{{variable}}` placeholders; for a shell block, one script. */
  readonly commands: readonly string[]
  /** Run through `sh -c` (the block said `shell=true`). */
  readonly shell: boolean
  /** Hands the terminal over to the program (a debugger, a shell): stdio is inherited, output not captured. */
  readonly interactive: boolean
  /** False for print-only steps (`run=false`, or anything with sudo: the app never runs sudo). */
  readonly runnable: boolean
  /** Why a step is print-only, when it is. */
  readonly printOnly?: string
  readonly timeoutMs: number
  /** Only run when chosen (`--step NAME`, or selected in the notebook): a branch such as "if it is stripped, build…". */
  readonly optional: boolean
  /** A failure is an answer, not a stop (diagnostic steps): a full run goes on to the next step. */
  readonly mayFail: boolean
  /** Variables the commands use. */
  readonly uses: readonly string[]
  /** Every attribute from the info string, as written. */
  readonly attributes: Readonly<Record<string, string>>
}

/** A command with every value filled in and quoted: what is shown, copied and run. */
export interface PreparedCommand {
  /** The command as a user would type it. */
  readonly text: string
  /** What is executed: the program and its arguments (for a shell step, `sh -c <script>`). */
  readonly argv: readonly string[]
}

export interface PreparedStep {
  readonly step: RecipeStep
  readonly commands: readonly PreparedCommand[]
}

/** Where a variable's value came from, shown next to it so the user can judge it. */
export type VariableSource = 'option' | 'session' | 'detected' | 'default'

export interface ResolvedVariable {
  readonly name: string
  readonly value?: string
  readonly source?: VariableSource
  /** How it was found, or why it could not be. */
  readonly note?: string
}

export class RecipeError extends DaggerExploreError {
  override readonly name = 'RecipeError'
}
