import {UsageError} from '../errors.js'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {findDaggerRoot} from '../engine/checkout.js'

/** Which dagger checkout a session works on: its root, and the commit checked out when git says so. */
export interface CheckoutId {
  readonly root: string
  readonly commit?: string
  readonly branch?: string
}

async function text(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').then(
    (t) => t.trim(),
    () => undefined,
  )
}

/** The git directory of a work tree: `.git` itself, or where a `.git` file (worktree, submodule) points. */
async function gitDir(root: string): Promise<string | undefined> {
  const dotGit = path.join(root, '.git')
  const pointer = await text(dotGit)
  if (pointer === undefined) return (await text(path.join(dotGit, 'HEAD'))) === undefined ? undefined : dotGit
  const m = /^gitdir:\s*(.+)$/m.exec(pointer)
  return m?.[1] ? path.resolve(root, m[1]) : undefined
}

/**
The commit HEAD names, read from the git files (no git process at start-up): a detached HEAD, a
loose ref or packed-refs, in the worktree's own folder or the common one.
*/
async function headCommit(dir: string): Promise<{commit?: string; branch?: string}> {
  const head = await text(path.join(dir, 'HEAD'))
  if (head === undefined) return {}
  if (/^[0-9a-f]{40,64}$/.test(head)) return {commit: head}
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1]
  if (ref === undefined) return {}
  const branch = ref.replace(/^refs\/heads\//, '')
  const common = await text(path.join(dir, 'commondir'))
  const dirs = [dir, ...(common === undefined ? [] : [path.resolve(dir, common)])]
  for (const d of dirs) {
    const loose = await text(path.join(d, ref))
    if (loose !== undefined && /^[0-9a-f]{40,64}$/.test(loose)) return {commit: loose, branch}
    const packed = await text(path.join(d, 'packed-refs'))
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`))
    if (line !== undefined) return {commit: line.split(' ')[0] ?? '', branch}
  }
  return {branch}
}

/** The checkout at or above `dir`; undefined when there is none. */
export async function identifyCheckout(dir: string): Promise<CheckoutId | undefined> {
  const root = findDaggerRoot(dir)
  if (root === undefined) return undefined
  const git = await gitDir(root)
  const head = git === undefined ? {} : await headCommit(git)
  return {root, ...head}
}

/** `/src/dagger (main at 1a2b3c4d5e6f)` as the log header shows it. */
export function checkoutText(id: CheckoutId): string {
  const at = id.commit === undefined ? undefined : `${id.branch === undefined ? 'commit' : `${id.branch} at`} ${id.commit.slice(0, 12)}`
  return at === undefined ? id.root : `${id.root} (${at})`
}

/** `--resume` of a session that works on another checkout than the one asked for: a usage problem, one paragraph. */
export class CheckoutMismatch extends UsageError {
  constructor(file: string, session: string, asked: string, askedRoot: string, sessionRoot: string) {
    super(`The latest session (${path.basename(file)}) works on the checkout ${session}, not on ${asked}; resuming it would mix two checkouts in one log.`, {
      fix: `Run without --resume to start a session for ${askedRoot}, pass --dagger-src ${sessionRoot} to carry that session on, or add --resume-any-checkout to continue it with ${askedRoot} anyway.`,
    })
  }
}

export interface ResumeAsk {
  /** `--dagger-src`, resolved; undefined when not given. */
  readonly daggerSrc: string | undefined
  readonly cwd: string
  /** `--resume-any-checkout`: carry on even with another checkout. */
  readonly anyCheckout: boolean
}

/**
Checks that a resumed session goes on with the checkout it was started for. Without --dagger-src
and outside any checkout, the session's own checkout is used (returned as the folder to use);
another checkout is refused unless `anyCheckout`, and then named in the header with the earlier one.
*/
export async function resumeCheckout(log: {readonly path: string; readonly checkout?: string | undefined; readonly checkoutRoot?: string | undefined; setCheckout(text: string, root: string): void}, ask: ResumeAsk): Promise<string | undefined> {
  const asked = await identifyCheckout(ask.daggerSrc ?? ask.cwd)
  const sessionRoot = log.checkoutRoot
  if (asked === undefined && ask.daggerSrc === undefined) return sessionRoot
  const askedRoot = asked?.root ?? path.resolve(ask.daggerSrc ?? ask.cwd)
  const askedText = asked === undefined ? `${askedRoot} (not a dagger checkout)` : checkoutText(asked)
  if (sessionRoot === undefined) {
    if (asked !== undefined) log.setCheckout(askedText, askedRoot)
    return undefined
  }
  if (path.resolve(sessionRoot) === path.resolve(askedRoot)) {
    // Same folder: the commit may have moved since; the header shows the latest.
    if (asked !== undefined) log.setCheckout(askedText, askedRoot)
    return undefined
  }
  if (!ask.anyCheckout) throw new CheckoutMismatch(log.path, log.checkout ?? sessionRoot, askedText, askedRoot, sessionRoot)
  log.setCheckout(`${askedText}; before the resume: ${log.checkout ?? sessionRoot}`, askedRoot)
  return undefined
}
