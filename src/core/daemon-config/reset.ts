/**
The "reset" recipe: drop risky keys from daemon.json (or set them back to their defaults), show the
diff, and write the file atomically with a timestamped backup next to it. When this process cannot
write the file, it stages the new content and returns the exact sudo commands instead; it never
runs sudo itself.
*/
import {DaggerExploreError} from '../errors.js'
import {constants} from 'node:fs'
import {access, chown, copyFile, mkdtemp, open, rename, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {unifiedDiff} from './diff.js'
import type {ConfigFinding} from './finding.js'
import {parseStrictJson, toValue, type JsonMember, type JsonNode} from './json-strict.js'
import {lintDaemonConfig, type LintOptions, type LintResult} from './lint.js'
import {RESETTABLE_RISK_KEYS} from './risks.js'
import {keySpec} from './schema.js'
import {tracked} from '../system/in-flight-writes.js'

/** JSON values of the defaults a key can be set back to (the others are dropped instead). */
export const DEFAULT_VALUES: Readonly<Record<string, unknown>> = {
  'max-concurrent-downloads': 3,
  'max-concurrent-uploads': 5,
  'max-download-attempts': 5,
  mtu: 1500,
  ipv6: false,
  debug: false,
  'live-restore': false,
  'registry-mirrors': [],
  'insecure-registries': [],
  dns: [],
}

export type ResetAction = 'drop' | 'default'

export interface ResetChange {
  /** Top-level key, or `parent.child` for a key inside features/proxies. */
  readonly key: string
  readonly action: ResetAction
  /** The value before, as JSON text. */
  readonly before: string
  /** The value after, for `default`. */
  readonly after?: string
}

export interface ResetPlan {
  readonly file: string
  readonly changes: readonly ResetChange[]
  readonly before: string
  readonly after: string
  readonly diff: string
  /** The file had to be re-serialised (it was not clean JSON), so formatting changed too. */
  readonly reformatted: boolean
}

export class ResetError extends DaggerExploreError {
  override readonly name = 'ResetError'
}

/** Keys a reset picks when the user names none: the ones risk rules and refusals flagged. */
export function suggestedResetKeys(lint: LintResult): string[] {
  const keys = new Set<string>()
  for (const f of lint.findings) {
    if (f.key === undefined || f.status === 'pass') continue
    if (f.recipe === 'reset-daemon-config' && !f.id.includes('overlay-on-overlay')) {
      const top = f.key.split('.')[0] ?? f.key
      if ((RESETTABLE_RISK_KEYS as readonly string[]).includes(top)) keys.add(f.key)
    }
    if (f.status === 'fail' && ['key-unknown', 'key-too-new', 'key-removed', 'key-wrong-type', 'key-bad-value', 'flag-file-conflict', 'ip6tables-needs-experimental'].includes(f.id)) {
      keys.add(f.key.replace(/\[\].*$/, '').split('.')[0] === 'proxies' ? f.key.replace(/\[\].*$/, '') : (f.key.replace(/\[\].*$/, '').split('.')[0] ?? f.key))
    }
  }
  return [...keys]
}

function objectMembers(node: JsonNode | undefined): readonly JsonMember[] {
  return node?.kind === 'object' ? node.members : []
}

function findMember(root: JsonNode | undefined, key: string): {member: JsonMember; parent: Extract<JsonNode, {kind: 'object'}>} | undefined {
  if (root?.kind !== 'object') return undefined
  // The last of duplicates is the live one (dockerd's decoder keeps it), so that is the value named.
  const direct = root.members.findLast((m) => m.key === key)
  if (direct !== undefined) return {member: direct, parent: root}
  const dot = key.indexOf('.')
  if (dot < 0) return undefined
  const outer = [...root.members].reverse().find((m) => m.key === key.slice(0, dot))
  if (outer?.value.kind !== 'object') return undefined
  const inner = outer.value.members.findLast((m) => m.key === key.slice(dot + 1))
  return inner === undefined ? undefined : {member: inner, parent: outer.value}
}

/** Removes one member from the text, taking its comma and line with it. */
function spliceOut(text: string, parent: Extract<JsonNode, {kind: 'object'}>, member: JsonMember): string {
  const i = parent.members.indexOf(member)
  const next = parent.members[i + 1]
  const prev = parent.members[i - 1]
  if (next !== undefined) return text.slice(0, member.keyPos.offset) + text.slice(next.keyPos.offset)
  if (prev !== undefined) return text.slice(0, prev.value.end.offset) + text.slice(member.value.end.offset)
  return `${text.slice(0, parent.pos.offset + 1)}${text.slice(parent.end.offset - 1)}`
}

function render(value: unknown): string {
  return JSON.stringify(value)
}

/**
Plans a reset of `keys` in `text`. Keys in `defaults` are set to their default value; the others
are dropped. Throws ResetError for keys that are not in the file or cannot be set to a default.
*/
export function planReset(file: string, text: string, drop: readonly string[], defaults: readonly string[] = []): ResetPlan {
  const parsed = parseStrictJson(text)
  if (parsed.root?.kind !== 'object') throw new ResetError(`${file} does not parse as a JSON object, so there are no keys to reset; fix or replace the file first (daemon-config shows where it breaks).`)
  const clean = parsed.problems.every((p) => p.code === 'duplicate-key')
  const changes: ResetChange[] = []
  for (const key of defaults) {
    if (!(key in DEFAULT_VALUES)) throw new ResetError(`"${key}" has no plain default to set back to; drop it instead (--drop ${key}).`)
  }
  const wanted = [...new Set([...drop, ...defaults])]
  for (const key of wanted) {
    const found = findMember(parsed.root, key)
    if (found === undefined) throw new ResetError(`"${key}" is not set in ${file}. Keys in the file: ${objectMembers(parsed.root).map((m) => m.key).join(', ') || '(none)'}.`)
    const before = render(toValue(found.member.value))
    changes.push(defaults.includes(key) ? {key, action: 'default', before, after: render(DEFAULT_VALUES[key])} : {key, action: 'drop', before})
  }
  let after: string
  if (clean) {
    after = parsed.text
    for (const change of changes) {
      for (;;) {
        const again = parseStrictJson(after)
        const found = findMember(again.root, change.key)
        if (found === undefined) break
        if (change.action === 'default') {
          const v = found.member.value
          const replaced = after.slice(0, v.pos.offset) + (change.after ?? 'null') + after.slice(v.end.offset)
          if (replaced === after) break
          after = replaced
          // Duplicates of the key keep getting set until each one holds the default.
          const dupes = objectMembers(parseStrictJson(after).root).filter((m) => m.key === change.key && render(toValue(m.value)) !== change.after)
          if (dupes.length === 0) break
        } else after = spliceOut(after, found.parent, found.member)
      }
    }
  } else {
    // Comments or trailing commas: rebuild the file from what it means, which also removes them.
    const value = toValue(parsed.root) as Record<string, unknown>
    for (const change of changes) {
      const dot = change.key.indexOf('.')
      const holder = change.key in value || dot < 0 ? value : (value[change.key.slice(0, dot)] as Record<string, unknown>)
      const name = change.key in value || dot < 0 ? change.key : change.key.slice(dot + 1)
      if (change.action === 'default') holder[name] = DEFAULT_VALUES[change.key]
      else delete holder[name]
    }
    after = `${JSON.stringify(value, null, 2)}\n`
  }
  return {file, changes, before: text, after, diff: unifiedDiff(text, after, file, `${file} (after reset)`), reformatted: !clean}
}

/** Lints the planned file: a reset must never produce a file dockerd refuses. */
export function checkPlan(plan: ResetPlan, options: LintOptions = {}): LintResult {
  return lintDaemonConfig(plan.after, {...options, risks: false})
}

export function backupName(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `${file}.bak-${stamp}`
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

export interface WriteOutcome {
  readonly written: boolean
  readonly backup: string
  /** When not written: the commands to run (the new content is staged in `staged`). */
  readonly sudo?: readonly string[]
  readonly staged?: string
  /** Why the file could not be written here. */
  readonly reason?: string
}

function isPermissionError(error: unknown): boolean {
  const code = (error as {code?: string}).code
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
}

/**
Writes `plan.after` to `plan.file`: first a copy of the current file as `FILE.bak-<UTC stamp>`
(mode and owner kept), then the new content atomically (temp file + rename, same mode and owner).
*/
export async function writeResetPlan(plan: ResetPlan, now = new Date(), stageDir = os.tmpdir()): Promise<WriteOutcome> {
  const backup = backupName(plan.file, now)
  const info = await stat(plan.file)
  const mode = info.mode & 0o7777
  try {
    await access(path.dirname(plan.file), constants.W_OK)
    await access(plan.file, constants.W_OK)
    await copyFile(plan.file, backup, constants.COPYFILE_EXCL)
  } catch (error) {
    if (!isPermissionError(error)) throw error
    return stageForSudo(plan, backup, mode, info.uid, info.gid, stageDir, error)
  }
  try {
    await replaceAtomically(plan.file, plan.after, mode, info.uid, info.gid)
    return {written: true, backup}
  } catch (error) {
    await rm(backup, {force: true}).catch(() => undefined)
    if (!isPermissionError(error)) throw error
    return stageForSudo(plan, backup, mode, info.uid, info.gid, stageDir, error)
  }
}

/**
Writes a temp file beside `file` (same mode, same owner when we may set it), flushes it to disk and
renames it over `file`, so readers see the old or the new file, never half of one. (Not
write-file-atomic: it reads __filename, which the ESM bundle does not define.)
*/
function replaceAtomically(file: string, content: string, mode: number, uid: number, gid: number): Promise<void> {
  // Tracked: a stop signal lets the rename land (or the temp file go) before the process exits.
  return tracked(() => replaceNow(file, content, mode, uid, gid))
}

async function replaceNow(file: string, content: string, mode: number, uid: number, gid: number): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.dagger-explore-${process.pid}-${Date.now()}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(content)
    await handle.chmod(mode)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    if (process.getuid?.() === 0) await chown(temp, uid, gid)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, {force: true}).catch(() => undefined)
    throw error
  }
}

async function stageForSudo(plan: ResetPlan, backup: string, mode: number, uid: number, gid: number, stageDir: string, error: unknown): Promise<WriteOutcome> {
  const dir = await mkdtemp(path.join(stageDir, 'dagger-explore-daemon-json-'))
  const staged = path.join(dir, path.basename(plan.file))
  await writeFile(staged, plan.after, {mode: 0o644})
  const temp = `${plan.file}.dagger-explore-new`
  const q = shellQuote
  return {
    written: false,
    backup,
    staged,
    reason: `${(error as {code?: string}).code ?? 'error'}: this process may not write ${plan.file}`,
    sudo: [
      `sudo cp -p -- ${q(plan.file)} ${q(backup)}`,
      `sudo install -m ${mode.toString(8).padStart(4, '0')} -o ${uid} -g ${gid} -- ${q(staged)} ${q(temp)}`,
      `sudo mv -f -- ${q(temp)} ${q(plan.file)}`,
    ],
  }
}

export interface RestartContext {
  readonly desktop?: boolean
  readonly rootless?: boolean
  /** systemd manages the daemon (PID 1 is systemd and docker.service exists). */
  readonly systemd?: boolean
  readonly pid?: number
  /** The running daemon's argv, to show how to start it again when no service manager runs it. */
  readonly argv?: readonly string[]
}

export interface RestartAdvice {
  /** The command (or instruction) that restarts the daemon. */
  readonly restart: string
  /** A reload (SIGHUP) is enough when every changed key is reloadable. */
  readonly reload?: string
  readonly note: string
}

export function restartAdvice(changedKeys: readonly string[], ctx: RestartContext): RestartAdvice {
  const reloadable = changedKeys.length > 0 && changedKeys.every((k) => keySpec(k.split('.')[0] ?? k)?.reload === true)
  if (ctx.desktop === true) {
    return {restart: 'Docker Desktop: choose Restart from its menu (or Settings → Docker Engine → Apply & restart).', note: 'Docker Desktop applies daemon.json inside its VM only when it restarts.'}
  }
  if (ctx.rootless === true) {
    return {
      restart: 'systemctl --user restart docker.service',
      ...(reloadable ? {reload: 'systemctl --user reload docker.service'} : {}),
      note: 'Rootless Docker runs as your user service; no sudo needed.',
    }
  }
  if (ctx.systemd !== false) {
    return {
      restart: 'sudo systemctl restart docker.service',
      ...(reloadable ? {reload: 'sudo systemctl reload docker.service'} : {}),
      note: reloadable ? 'Every changed key reloads on SIGHUP, so a reload keeps running containers; a restart stops them unless live-restore is on.' : 'A restart stops running containers (including a Dagger engine) unless live-restore is on.',
    }
  }
  const pid = ctx.pid === undefined ? '<dockerd pid>' : String(ctx.pid)
  return {
    restart: ctx.argv === undefined ? `sudo kill ${pid}, then start dockerd again the way it was started` : `sudo kill ${pid} && sudo ${ctx.argv.map(shellQuote).join(' ')}`,
    ...(reloadable ? {reload: `sudo kill -HUP ${pid}`} : {}),
    note: 'No service manager runs this dockerd, so it has to be stopped and started by hand.',
  }
}

export interface Recheck {
  /** true: the daemon runs with the new file; false: it does not; undefined: cannot tell yet. */
  readonly pickedUp: boolean | undefined
  readonly findings: readonly ConfigFinding[]
}

/**
After the user restarted: compare the written file with /info (drift findings from
compareWithDaemon), and for keys /info does not show, whether the daemon started after the write.
*/
export function recheckAfterRestart(driftFindings: readonly ConfigFinding[], writtenAtMs: number, daemonStartedMs: number | undefined, reloadedOnly = false): Recheck {
  if (driftFindings.some((f) => f.id === 'daemon-config-drift')) {
    return {pickedUp: false, findings: driftFindings.filter((f) => f.id === 'daemon-config-drift')}
  }
  if (reloadedOnly || daemonStartedMs === undefined) return {pickedUp: undefined, findings: []}
  if (daemonStartedMs + 1000 < writtenAtMs) {
    return {
      pickedUp: false,
      findings: [
        {
          id: 'daemon-not-restarted',
          status: 'warn',
          title: 'The daemon has not restarted since the file was written',
          detail: `dockerd started at ${new Date(daemonStartedMs).toISOString()}, before the new file was written at ${new Date(writtenAtMs).toISOString()}; the settings /info does not show are still the old ones.`,
          fix: 'Restart (or reload) the daemon with the command shown, then check again.',
        },
      ],
    }
  }
  return {pickedUp: true, findings: []}
}
