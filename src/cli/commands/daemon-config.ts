import {existsSync} from 'node:fs'
import {realpath} from 'node:fs/promises'
import {DEFAULT_DOCKER_TIMEOUT_MS} from '../../core/docker/client.js'
import {analyseDaemonConfig, type ConfigAnalysis} from '../../core/daemon-config/analyse.js'
import {discoverDaemon, fetchDaemonInfo, type DaemonDiscovery} from '../../core/daemon-config/discover.js'
import {dockerService} from '../../core/docker/service.js'
import {compareWithDaemon} from '../../core/daemon-config/drift.js'
import type {ConfigFinding} from '../../core/daemon-config/finding.js'
import {where} from '../../core/daemon-config/finding.js'
import {lintDaemonConfig} from '../../core/daemon-config/lint.js'
import {findDockerdProcesses, daemonForSocket} from '../../core/daemon-config/proc.js'
import {DEFAULT_VALUES, ResetError, checkPlan, shellQuote, planReset, recheckAfterRestart, restartAdvice, suggestedResetKeys, writeResetPlan, type ResetPlan, type RestartAdvice, type WriteOutcome} from '../../core/daemon-config/reset.js'
import {parseEngineVersion, type EngineVersion} from '../../core/daemon-config/version.js'
import {Recorder} from '../../core/notebook/recorder.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import {failureOf, writeFailure} from '../report.js'
import {EXIT, UsageError, type CliIO, type CommandMain, type GlobalValues} from '../io.js'
import {Prompter} from '../prompt.js'
import {parseCommandArgs, type GlobalSettings} from '../settings.js'
import {NotRegularFileError, readRegularFile} from '../../core/system/read-regular.js'
import {findingJson} from '../../core/present/finding-json.js'
import {findingLines} from '../../core/present/finding-lines.js'
import {STATUS_GLYPH} from '../../core/present/status.js'

const HELP = `Usage: dagger-explore daemon-config [FILE] [--json] [--target VERSION]
       dagger-explore daemon-config reset [FILE] [--drop KEY ...] [--default KEY ...] [--yes] [--json]

Lints the Docker daemon config the way dockerd reads it: strict JSON (comments, trailing commas,
duplicate keys…), unknown keys, types and allowed values, flags that clash with the file, and the
settings that break Dagger builds (a raised max-concurrent-downloads, dead mirrors, a large MTU…).
Without FILE it lints the file the running daemon reads and compares it with the daemon (/info).

  FILE               the daemon.json to lint (default: the global --daemon-config FILE, else the
                     one in force, and why)
  --json             JSON on stdout only: {"file","source","valid","findings":[…]}
  --target VERSION   judge as this dockerd release (default: the running daemon's, else current)
  --timeout MS       how long Docker calls may take (default ${DEFAULT_DOCKER_TIMEOUT_MS})

reset: drops the named keys (--drop, repeatable) or sets them back to their defaults (--default,
repeatable); without either it takes the keys the lint flagged. It shows the new file as a diff and
writes it only after you confirm (or with --yes; without a terminal --yes is required), atomically,
with a timestamped backup next to it. A file this user may not write gets the exact sudo commands
instead; sudo is never run. Then it shows how to restart the daemon and, in a terminal, checks that
the daemon picked the change up.

Exit codes: 0 clean or warnings only, 1 errors found (or the reset was not applied), 2 bad usage.

Examples
  dagger-explore daemon-config
  dagger-explore daemon-config /etc/docker/daemon.json --json
  dagger-explore daemon-config reset --drop max-concurrent-downloads
  dagger-explore daemon-config reset --default max-concurrent-downloads --yes
`

// --json, --timeout, --yes and --help are global options (cli/settings.ts).
const LINT_OPTIONS = {
  target: {type: 'string'},
} as const

const RESET_OPTIONS = {
  ...LINT_OPTIONS,
  drop: {type: 'string', multiple: true},
  default: {type: 'string', multiple: true},
} as const

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`)
}

function parseTarget(value: string | undefined): EngineVersion | undefined {
  if (value === undefined) return undefined
  const v = parseEngineVersion(value)
  if (v === undefined) throw new UsageError(`--target takes a Docker Engine version; "${sanitize(value)}" is not one.`, {fix: 'Give it as MAJOR.MINOR, e.g. --target 20.10 or --target 28.2.'})
  return v
}

function printFindings(io: CliIO, findings: readonly ConfigFinding[]): void {
  for (const line of findingLines(findings, {color: io.color, prefix: (f) => where(f as ConfigFinding)})) write(io.stdout, line)
}

async function discover(io: CliIO, timeoutMs: number, explicit: string | undefined): Promise<DaemonDiscovery> {
  return discoverDaemon(new Recorder(), await dockerService(io.env), timeoutMs, explicit, io.cwd)
}

/** A FILE other than the one in force is linted on its own (no flags, no /info comparison). */
async function isFileInForce(io: CliIO, found: DaemonDiscovery, explicit: string | undefined, timeoutMs: number): Promise<boolean> {
  if (explicit === undefined) return true
  const inForce = await discover(io, timeoutMs, undefined)
  return inForce.location.file === found.location.file
}

async function lintMain(args: readonly string[], io: CliIO, before: GlobalValues | undefined): Promise<number> {
  const {values, positionals, settings} = parseCommandArgs(args, LINT_OPTIONS, before, io)
  if (values.help) {
    write(io.stdout, HELP)
    return EXIT.ok
  }
  if (positionals.length > 1) throw new UsageError(`daemon-config takes at most one FILE; got ${positionals.length} (${positionals.map((p) => sanitize(p)).join(', ')}).`, {fix: 'Lint one file at a time, or none to lint the one in force.'})
  const timeoutMs = settings.dockerTimeoutMs
  const target = parseTarget(values.target)
  const explicit = positionals[0] ?? settings.daemonConfig
  const found = await discover(io, timeoutMs, explicit)
  const compare = await isFileInForce(io, found, explicit, timeoutMs)
  const analysis = await analyseDaemonConfig(new Recorder(), found, io.env, {...(target === undefined ? {} : {target}), compare})
  if (explicit !== undefined && analysis.missing) throw new UsageError(`${sanitize(analysis.location.file)} does not exist.`, {fix: 'Name an existing daemon.json, or run `dagger-explore daemon-config` without FILE to lint the one in force.'})
  if (analysis.readError !== undefined) {
    const {message, fix} = readErrorMessage(analysis.location.file, analysis.readError)
    writeFailure(io, {message, fix}, {command: 'daemon-config', json: settings.json, fields: {file: analysis.location.file, source: analysis.location.source, valid: false, findings: []}})
    return EXIT.problem
  }
  const valid = !analysis.findings.some((f) => f.status === 'fail')
  if (settings.json) {
    write(
      io.stdout,
      JSON.stringify(
        {
          file: analysis.location.file,
          source: analysis.location.source,
          valid,
          findings: analysis.findings.map((f) => findingJson(f, {placed: true})),
        },
        null,
        2,
      ),
    )
  } else printLint(io, analysis, valid)
  return valid ? EXIT.ok : EXIT.problem
}

function printLint(io: CliIO, analysis: ConfigAnalysis, valid: boolean): void {
  write(io.stdout, analysis.location.file)
  write(io.stdout, `  ${analysis.location.why}`)
  if (analysis.missing) write(io.stdout, '  The file does not exist: the daemon runs on its defaults.')
  for (const fact of analysis.facts) {
    if (fact.label === 'Config file' || fact.label === 'Why this file') continue
    write(io.stdout, `  ${fact.label}: ${fact.value}`)
  }
  printFindings(io, analysis.findings)
  const errors = analysis.findings.filter((f) => f.status === 'fail').length
  const warnings = analysis.findings.filter((f) => f.status === 'warn').length
  if (analysis.findings.length === 0) write(io.stdout, `  ${STATUS_GLYPH.pass} No problems found.`)
  write(io.stdout, `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${valid ? '' : ': dockerd would refuse to start with this file'}.`)
  // dockerd 23.0 and later can check a file without starting; worth a second opinion after edits.
  if (analysis.lint !== undefined && analysis.lint.target[0] >= 23) write(io.stdout, `dockerd itself can check it too: dockerd --validate --config-file ${shellQuote(analysis.location.file)}`)
}

async function pickKeys(prompter: Prompter, lint: ReturnType<typeof lintDaemonConfig>, suggested: readonly string[]): Promise<{drop: string[]; defaults: string[]}> {
  const drop: string[] = []
  const defaults: string[] = []
  const values = lint.value ?? {}
  for (const key of suggested) {
    const top = key.split('.')[0] ?? key
    const current = key in values ? JSON.stringify(values[key]) : top in values ? JSON.stringify(values[top]) : '?'
    const canDefault = key in DEFAULT_VALUES
    const why = lint.findings.find((f) => f.key === key || f.key === top)?.title ?? ''
    const answer = (await prompter.ask(`${key} = ${current} (${why}): drop it? [Y/n${canDefault ? `/d = set back to ${JSON.stringify(DEFAULT_VALUES[key])}` : ''}] `)) ?? 'n'
    if (/^n/i.test(answer)) continue
    if (canDefault && /^d/i.test(answer)) defaults.push(key)
    else drop.push(key)
  }
  return {drop, defaults}
}

async function resetMain(args: readonly string[], io: CliIO, before: GlobalValues | undefined): Promise<number> {
  const {values, positionals, settings} = parseCommandArgs(args, RESET_OPTIONS, before, io)
  if (values.help) {
    write(io.stdout, HELP)
    return EXIT.ok
  }
  if (positionals.length > 1) throw new UsageError(`daemon-config reset takes at most one FILE; got ${positionals.length}.`, {fix: 'Reset one file at a time, or name none to reset the one in force.'})
  const timeoutMs = settings.dockerTimeoutMs
  const target = parseTarget(values.target)
  const explicit = positionals[0] ?? settings.daemonConfig
  const found = await discover(io, timeoutMs, explicit)
  // A symlinked daemon.json is reset where it points (the link stays a link), and the output says so.
  const named = found.location.file
  const file = await realpath(named).catch(() => named)
  if (file !== named) write(settings.json ? io.stderr : io.stdout, `${named} is a symlink to ${file}: the reset reads and changes ${file}, and the link is kept.`)
  if (explicit === undefined && found.location.elsewhere === true && found.location.source !== 'docker-desktop') {
    throw new UsageError(`The daemon is not on this machine (${found.location.why}), so resetting ${file} here would change nothing it reads.`, {fix: "Run the reset on the daemon's host, or name a FILE to reset explicitly."})
  }
  let bytes: Buffer
  try {
    bytes = await readRegularFile(file)
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code === 'ENOENT') {
      throw new UsageError(`${sanitize(file)} does not exist, so there is nothing to reset: the daemon already runs on its defaults.`, {fix: 'Nothing needs resetting; to reset another daemon.json, name it as FILE.'})
    }
    if (error instanceof NotRegularFileError || code === 'ELOOP') {
      throw new UsageError(error instanceof NotRegularFileError ? sanitize(error.message) : `${sanitize(file)} is a symlink loop.`, {fix: 'Name the daemon.json file itself.'})
    }
    write(io.stderr, `dagger-explore: could not read ${file} (${code ?? 'error'}).\nFix: Run with sudo to reset it.`)
    return EXIT.problem
  }
  const lintTarget = target ?? parseEngineVersion(found.info?.ServerVersion)
  // Linted as bytes, as the check does: a binary file is "not text", not a JSON syntax error at byte 1.
  const lint = lintDaemonConfig(bytes, lintTarget === undefined ? {} : {target: lintTarget})
  const text = bytes.toString('utf8')
  if (lint.value === undefined && text.trim() !== '') {
    // A reset removes keys from an object; a file that does not parse (binary, 10,000 brackets) has none to remove.
    const why = lint.findings.find((f) => f.status === 'fail')
    const message = `${file} does not parse as a JSON object${why ? `: ${why.detail ?? why.title}` : '.'} So reset cannot say which keys to drop; nothing was changed.`
    const fix = `Fix or replace the file by hand (\`dagger-explore daemon-config ${file}\` shows where it breaks).`
    writeFailure(io, {message, fix}, {command: 'daemon-config reset', json: settings.json, fields: {file, source: found.location.source, changes: [], diff: '', written: false}})
    return EXIT.problem
  }
  const drop = values.drop ?? []
  const defaults = values.default ?? []
  const prompter = io.interactive && !settings.yes && !settings.json ? new Prompter(io) : undefined
  try {
    return await resetWith(io, settings, found, file, text, lint, lintTarget, drop, defaults, prompter, timeoutMs, explicit)
  } finally {
    prompter?.close()
  }
}

async function resetWith(
  io: CliIO,
  settings: Pick<GlobalSettings, 'json' | 'yes'>,
  found: DaemonDiscovery,
  file: string,
  text: string,
  lint: ReturnType<typeof lintDaemonConfig>,
  lintTarget: EngineVersion | undefined,
  drop: readonly string[],
  defaults: readonly string[],
  prompter: Prompter | undefined,
  timeoutMs: number,
  explicit: string | undefined,
): Promise<number> {
  const suggested = suggestedResetKeys(lint)
  let chosen: {drop: readonly string[]; defaults: readonly string[]} = drop.length + defaults.length > 0 ? {drop, defaults} : {drop: suggested, defaults: []}
  if (drop.length + defaults.length === 0 && prompter !== undefined && suggested.length > 0) {
    write(io.stdout, `${file}: ${suggested.length} key${suggested.length === 1 ? '' : 's'} to reset. Choose for each:`)
    chosen = await pickKeys(prompter, lint, suggested)
    if (chosen.drop.length + chosen.defaults.length === 0) {
      write(io.stdout, 'Nothing chosen; nothing written.')
      return EXIT.ok
    }
  }
  if (chosen.drop.length + chosen.defaults.length === 0) {
    if (settings.json) write(io.stdout, JSON.stringify({file, source: found.location.source, changes: [], diff: '', written: false, message: 'Nothing to reset.'}, null, 2))
    else write(io.stdout, `${file}: nothing to reset — no risky or refused keys. Name keys with --drop KEY or --default KEY.`)
    return EXIT.ok
  }
  let plan: ResetPlan
  try {
    plan = planReset(file, text, chosen.drop, chosen.defaults)
  } catch (error) {
    if (error instanceof ResetError) throw new UsageError(sanitize(error.message), {fix: error.fix && sanitize(error.fix), cause: error})
    throw error
  }
  const after = checkPlan(plan, lintTarget === undefined ? {} : {target: lintTarget})
  const advice = restartAdvice(
    plan.changes.map((c) => c.key),
    {
      desktop: found.location.source === 'docker-desktop',
      rootless: found.location.source === 'rootless',
      systemd: existsSync('/run/systemd/system'),
      ...(found.daemon === undefined ? {} : {pid: found.daemon.pid, argv: found.daemon.argv}),
    },
  )
  if (!settings.json) {
    write(io.stdout, `${file} (${found.location.why})`)
    for (const c of plan.changes) write(io.stdout, `  ${c.action === 'drop' ? 'drop' : 'set back'} ${c.key}: ${c.before}${c.after === undefined ? '' : ` → ${c.after}`}`)
    if (plan.reformatted) write(io.stdout, '  The file was not clean JSON (comments or trailing commas), so it is rewritten from what it means; those go too.')
    write(io.stdout, '')
    write(io.stdout, plan.diff)
    if (!after.valid) write(io.stdout, `Note: dockerd would still refuse the new file: ${after.findings.filter((f) => f.status === 'fail').map((f) => f.title).join('; ')}.`)
  }
  let confirmed = settings.yes
  if (!confirmed) {
    if (!io.interactive || settings.json) {
      if (settings.json) write(io.stdout, JSON.stringify(resetJson(found, plan, undefined, advice, 'not written: --json and non-interactive use need --yes'), null, 2))
      write(io.stderr, `dagger-explore: nothing written. ${settings.json ? 'With --json' : 'Without a terminal'}, reset needs --yes to write the file (review the diff first).`)
      return EXIT.usage
    }
    const answer = (await prompter?.ask(`Write this to ${file} (a backup is kept next to it)? [y/N] `)) ?? ''
    confirmed = /^y(es)?$/i.test(answer)
    if (!confirmed) {
      write(io.stdout, 'Nothing written.')
      return EXIT.ok
    }
  }
  const writtenAt = Date.now()
  const outcome = await writeResetPlan(plan)
  const inForce = await isFileInForce(io, found, explicit, timeoutMs)
  if (!inForce) {
    if (settings.json) {
      write(io.stdout, JSON.stringify({...resetJson(found, plan, outcome, advice), restart: null, message: 'not the file the running daemon reads: no restart needed'}, null, 2))
      return outcome.written ? EXIT.ok : EXIT.problem
    }
    printOutcome(io, file, outcome)
    write(io.stdout, 'This is not the file the running daemon reads, so there is nothing to restart for it.')
    return outcome.written ? EXIT.ok : EXIT.problem
  }
  if (settings.json) {
    write(io.stdout, JSON.stringify(resetJson(found, plan, outcome, advice), null, 2))
    return outcome.written ? EXIT.ok : EXIT.problem
  }
  printOutcome(io, file, outcome)
  write(io.stdout, `Then restart the daemon: ${advice.restart}`)
  if (advice.reload !== undefined) write(io.stdout, `  (every changed key reloads, so this is enough and keeps containers running: ${advice.reload})`)
  write(io.stdout, `  ${advice.note}`)
  if (!io.interactive || !outcome.written) {
    write(io.stdout, 'Afterwards, `dagger-explore daemon-config` checks that the daemon runs with the new file.')
    return outcome.written ? EXIT.ok : EXIT.problem
  }
  const answer = await prompter?.ask('Press Enter once the daemon has restarted (or type s to skip the check): ')
  if (answer === undefined || /^s/i.test(answer)) return EXIT.ok
  return recheck(io, found, plan, writtenAt, timeoutMs, advice)
}

function printOutcome(io: CliIO, file: string, outcome: WriteOutcome): void {
  if (outcome.written) {
    write(io.stdout, `Wrote ${file}; the old file is kept as ${outcome.backup}.`)
    return
  }
  write(io.stdout, `This user may not write ${file} (${outcome.reason ?? ''}). The new file is staged at ${outcome.staged ?? ''}; run:`)
  for (const line of outcome.sudo ?? []) write(io.stdout, `  ${line}`)
}

async function recheck(io: CliIO, found: DaemonDiscovery, plan: ResetPlan, writtenAt: number, timeoutMs: number, advice: RestartAdvice): Promise<number> {
  if (found.endpoint === undefined) {
    write(io.stdout, 'No Docker endpoint to ask; run `dagger-explore daemon-config` once the daemon is up.')
    return EXIT.ok
  }
  const rec = new Recorder()
  const fetched = await fetchDaemonInfo(rec, found.docker, timeoutMs)
  if (fetched.info === undefined) {
    write(io.stdout, `The daemon does not answer yet (${fetched.error ?? ''}). Give it a moment, then run \`dagger-explore daemon-config\`.`)
    return EXIT.problem
  }
  const processes = found.local ? await findDockerdProcesses() : []
  const daemon = found.endpoint.socketPath === undefined ? undefined : daemonForSocket(processes, found.endpoint.socketPath)
  const value = lintDaemonConfig(plan.after).value
  const drift = compareWithDaemon({config: value, info: fetched.info, file: plan.file, ...(daemon?.startedAtMs === undefined ? {} : {daemonStartedMs: daemon.startedAtMs})})
  const result = recheckAfterRestart(drift.findings, writtenAt, daemon?.startedAtMs, advice.reload !== undefined && daemon?.startedAtMs !== undefined && daemon.startedAtMs < writtenAt)
  if (result.pickedUp === true) write(io.stdout, `${STATUS_GLYPH.pass} The daemon runs with the new file.`)
  else if (result.pickedUp === undefined) write(io.stdout, 'Everything /info shows matches the new file (settings it does not show, such as max-concurrent-downloads, apply after a reload or restart).')
  else {
    write(io.stdout, `${STATUS_GLYPH.fail} The daemon does not run with the new file yet:`)
    printFindings(io, result.findings)
  }
  return result.pickedUp === false ? EXIT.problem : EXIT.ok
}

function resetJson(found: DaemonDiscovery, plan: ResetPlan, outcome: WriteOutcome | undefined, advice: RestartAdvice, message?: string): Record<string, unknown> {
  return {
    file: plan.file,
    source: found.location.source,
    changes: plan.changes,
    reformatted: plan.reformatted,
    diff: sanitize(plan.diff),
    written: outcome?.written ?? false,
    backup: outcome?.written === true ? outcome.backup : null,
    staged: outcome?.staged ?? null,
    sudo: outcome?.sudo ?? null,
    restart: advice,
    ...(message === undefined ? {} : {message}),
  }
}

export const main: CommandMain = async (argv, io, before) => {
  try {
    if (argv[0] === 'reset') return await resetMain(argv.slice(1), io, before)
    return await lintMain(argv, io, before)
  } catch (error) {
    const failure = failureOf(error, 'dagger-explore daemon-config --help')
    if (failure.exitCode !== EXIT.usage) throw error
    writeFailure(io, failure, {command: 'daemon-config', json: argv.includes('--json')})
    return EXIT.usage
  }
}

/** Why daemon.json could not be read, and what to do: sudo only helps when permission was the problem. */
function readErrorMessage(file: string, readError: string): {message: string; fix?: string} {
  if (/^(?:EACCES|EPERM)\b/.test(readError)) return {message: `Could not read ${file} (${readError}). It usually belongs to root.`, fix: 'Run this command with sudo to lint it.'}
  if (/^EISDIR\b/.test(readError)) return {message: `${file} is a directory, not a daemon.json file.`, fix: 'Name the file itself (dockerd reads /etc/docker/daemon.json by default).'}
  if (/^ELOOP\b/.test(readError)) return {message: `${file} is a symlink loop: it never reaches a file.`, fix: 'Point the link at the real daemon.json, or name the file itself.'}
  if (/not a regular file/.test(readError)) return {message: `${readError.replace(/\.$/, '')}: dockerd reads daemon.json as a regular file.`, fix: 'Name the file itself.'}
  return {message: `Could not read ${file} (${readError}).`}
}
