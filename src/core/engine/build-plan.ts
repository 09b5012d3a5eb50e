import path from 'node:path'
import type {DaggerCheckout} from './checkout.js'

/** The command the era's build runs: the checkout's own script, from its root, with no arguments. */
export interface BuildCommand {
  readonly file: string
  readonly args: readonly string[]
  readonly cwd: string
  /** As a person would type it, for the notebook. */
  readonly display: string
}

export function buildCommand(checkout: DaggerCheckout): BuildCommand {
  const rel = checkout.era.entrypoint
  return {file: path.join(checkout.root, rel), args: [], cwd: checkout.root, display: `./${rel}`}
}

/** The sidecar file of one build attempt, in the notes folder. */
export function sidecarName(now = new Date()): string {
  return `build-${now.toISOString().replace(/[:.]/g, '-')}.log`
}
