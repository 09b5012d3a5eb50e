import {readFileSync} from 'node:fs'
import path from 'node:path'
import {sanitize} from '../notebook/sanitize.js'
import {hackBuildFacts} from './build-script.js'
import type {DaggerCheckout} from './checkout.js'

/** One script of the build, as shown to a newcomer before it runs. */
export interface BuildScript {
  /** Path relative to the checkout root. */
  readonly path: string
  /** What part of the build it is. */
  readonly role: string
  /** The text (or an excerpt of it), sanitised. */
  readonly text: string
  readonly excerpt: boolean
}

const MAX_SCRIPT = 16 * 1024

function read(root: string, rel: string): string | undefined {
  try {
    return readFileSync(path.join(root, rel), 'utf8')
  } catch {
    return undefined
  }
}

/** The body of `func (... Engine) Dev(` in a mage file, up to the closing brace at column 0. */
export function mageDevTarget(source: string): string | undefined {
  const start = source.search(/^func \([a-zA-Z_]+ \*?Engine\) Dev\(/m)
  if (start < 0) return undefined
  const rest = source.slice(start)
  const end = rest.search(/^\}/m)
  return end < 0 ? rest : rest.slice(0, end + 1)
}

/** The scripts that the era's build runs, read from the checkout. Missing files are left out. */
export function buildScripts(checkout: DaggerCheckout): BuildScript[] {
  const out: BuildScript[] = []
  const add = (rel: string, role: string, transform?: (text: string) => string | undefined): void => {
    const raw = read(checkout.root, rel)
    if (raw === undefined) return
    const picked = transform?.(raw)
    const text = picked ?? raw
    const clipped = text.length > MAX_SCRIPT ? `${text.slice(0, MAX_SCRIPT)}\n…` : text
    out.push({path: rel, role, text: sanitize(clipped), excerpt: picked !== undefined || clipped !== text})
  }
  const era = checkout.era
  if (era.mageDir !== undefined) {
    add('hack/dev', 'entrypoint: runs the mage target engine:dev')
    add(path.join(era.mageDir, 'engine.go'), 'the mage target engine:dev (excerpt)', mageDevTarget)
    add('hack/with-dev', 'sets the variables that point dagger at the dev engine')
  } else {
    add('hack/build', era.id === 'dagger-shell' ? 'entrypoint: a dagger shell script that builds the CLI, exports bin/engine.tar and starts the engine' : "entrypoint: execs a pinned dagger CLI (--x-release) that calls the dev module's deploy")
    add('hack/dev', 'runs hack/build, then hack/with-dev')
    add('hack/with-dev', 'sets the variables that point dagger at the dev engine')
  }
  return out
}

/**
"What runs" for the notebook: the era's sentence, then what this checkout's own hack/build says (its
first line, the tarball, the debug port), since scripts changed within an era.
*/
export function whatRuns(checkout: DaggerCheckout): string {
  const facts = hackBuildFacts(checkout.root)
  if (facts === undefined) return checkout.era.explains
  const parts = [`This checkout's hack/build starts with \`${facts.shebang}\``]
  if (facts.xRelease) parts.push(`runs a pinned dagger (--x-release${facts.xReleaseRef === undefined ? '' : ` ${facts.xReleaseRef}`})`)
  parts.push(facts.writesEngineTar ? 'exports bin/engine.tar' : 'writes no bin/engine.tar')
  if (facts.startDebug !== undefined) parts.push(facts.startDebug ? 'passes --debug to start, so the engine publishes port 6060' : 'passes no --debug to start, so no port is published')
  return `${checkout.era.explains} ${parts.join('; ')}.`
}
