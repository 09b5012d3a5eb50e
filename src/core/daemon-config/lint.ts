/**
Lints daemon.json the way dockerd reads it: strict JSON, unknown keys refused, typed values, the
flags it was started with, then the risk rules. `target` is the dockerd release to judge against
(the running daemon's when known): keys and parser quirks changed between releases.
*/
import type {ConfigFinding} from './finding.js'
import {at} from './finding.js'
import {flagNames, type FlagSetting} from './flags.js'
import {parseStrictJson, toValue, type JsonMember, type JsonNode, type ParseProblem} from './json-strict.js'
import {riskFindings, type HostFacts} from './risks.js'
import {DAEMON_KEYS, FLAT_OBJECT_KEYS, MERGEABLE_KEYS, PROXY_KEYS, keySpec, suggestKey, type KeySpec} from './schema.js'
import {checkMember} from './values.js'
import {CURRENT_ENGINE, atLeast, compareVersions, formatVersion, type EngineVersion} from './version.js'

export interface LintOptions {
  /** dockerd release to judge against; defaults to the current one. */
  readonly target?: EngineVersion
  /** Flags the daemon is (or will be) started with: a key set in both places stops dockerd. */
  readonly flags?: readonly FlagSetting[]
  /** Where those flags came from, for the message (e.g. "the running dockerd's command line"). */
  readonly flagsSource?: string
  readonly host?: HostFacts
  /** Skip the risk rules (the agreement test checks only what dockerd itself refuses). */
  readonly risks?: boolean
}

export interface LintResult {
  /** No finding with status fail: dockerd would start with this file. */
  readonly valid: boolean
  readonly findings: readonly ConfigFinding[]
  readonly text: string
  readonly root?: JsonNode
  /** The decoded value (last duplicate wins), when the file parsed as an object. */
  readonly value?: Record<string, unknown>
  readonly target: EngineVersion
}

/** Where dockerd's parser changed: 23.0 reads the whole file, strips a BOM and accepts an empty file. */
const WHOLE_FILE_PARSER: EngineVersion = [23, 0]

export function lintDaemonConfig(input: Uint8Array | string, options: LintOptions = {}): LintResult {
  const target = options.target ?? CURRENT_ENGINE
  const label = compareVersions(target, CURRENT_ENGINE) >= 0 ? 'current' : formatVersion(target)
  const parsed = parseStrictJson(input)
  const findings: ConfigFinding[] = parsed.problems.map((p) => problemFinding(p, parsed.root, target, label))
  const root = parsed.root
  if (root?.kind === 'object') {
    findings.push(...keyFindings(root, target, label, options.target !== undefined))
    findings.push(...conflictFindings(root, options.flags ?? [], options.flagsSource ?? 'the dockerd command line'))
    if (options.risks !== false) {
      // A key dockerd refuses is the problem to fix first; its risk would only repeat it.
      const refused = new Set(findings.filter((f) => f.status === 'fail' && f.key !== undefined).map((f) => (f.key ?? '').split(/[.[]/)[0]))
      findings.push(...riskFindings(root, options.host).filter((f) => !refused.has((f.key ?? '').split(/[.[]/)[0])))
    }
  }
  // In file order, so the output reads top to bottom; findings without a position go last.
  findings.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) || (a.column ?? 0) - (b.column ?? 0))
  const valid = !findings.some((f) => f.status === 'fail')
  const value = root?.kind === 'object' ? (toValue(root) as Record<string, unknown>) : undefined
  return {valid, findings, text: parsed.text, target, ...(root === undefined ? {} : {root}), ...(value === undefined ? {} : {value})}
}

function problemFinding(p: ParseProblem, root: JsonNode | undefined, target: EngineVersion, label: string): ConfigFinding {
  const wholeFile = atLeast(target, WHOLE_FILE_PARSER)
  const pos = at(p.pos)
  // A comment after the closing brace is, to dockerd, just text after the root value.
  const afterRoot = root !== undefined && p.pos.offset >= root.end.offset
  // What the whole-file parser (23.0) accepts with a warning and the releases before it refuse.
  const untilWholeFile = (f: {id: string; title: string; fix: string}, accepted: string, refused: string): ConfigFinding => ({
    id: f.id,
    status: wholeFile ? 'warn' : 'fail',
    ...pos,
    title: f.title,
    detail: wholeFile ? accepted : refused,
    fix: f.fix,
  })
  switch (afterRoot && p.code === 'comment' ? 'trailing-content' : p.code) {
    case 'empty':
      return untilWholeFile(
        {id: 'json-empty', title: 'The config file is empty', fix: 'Write {} into the file, or delete it, to make "no settings" explicit.'},
        'dockerd treats an empty file as "no settings", so every option has its default. That is fine if intended, but an empty file is often a failed edit.',
        `dockerd ${label} refuses to start on an empty config file ("unable to configure the Docker daemon with file …: EOF"); releases from 23.0 treat it as no settings.`,
      )
    case 'binary':
      return {id: 'json-binary', status: 'fail', ...pos, title: 'The config file is not text', detail: `${p.message} dockerd refuses to start ("invalid character … looking for beginning of value"). The file was probably overwritten by something else.`, fix: 'Restore the file from a backup, or replace it with {} and add back the settings you need.'}
    case 'too-large':
      return {id: 'json-too-large', status: 'fail', ...pos, title: 'The config file is far too large', detail: `${p.message} It is not a hand-written daemon config; it was probably overwritten by a log or another file.`, fix: 'Restore the file from a backup, or replace it with {} and add back the settings you need.'}
    case 'bom':
      return untilWholeFile(
        {id: 'json-bom', title: 'The config file starts with a byte-order mark', fix: 'Save the file as UTF-8 without BOM.'},
        'dockerd skips a UTF-8 byte-order mark (added by some Windows editors); older releases refuse such a file.',
        `dockerd ${label} refuses the file ("invalid character 'ï' looking for beginning of value"): it does not skip the byte-order mark some editors add. Releases from 23.0 do.`,
      )
    case 'comment':
      return {id: 'json-comment', status: 'fail', ...pos, title: 'A comment in the config file', detail: `${p.message} dockerd reads strict JSON and refuses to start on it ("invalid character '/' looking for beginning of object key string").`, fix: 'Remove the comment; keep notes in a separate file.'}
    case 'trailing-comma':
      return {id: 'json-trailing-comma', status: 'fail', ...pos, title: 'A trailing comma in the config file', detail: `${p.message} JSON does not allow it and dockerd refuses to start ("invalid character '}' looking for beginning of object key string").`, fix: 'Delete the comma after the last entry.'}
    case 'duplicate-key':
      return {
        id: 'json-duplicate-key',
        status: 'warn',
        key: p.key,
        ...pos,
        title: `"${p.key ?? ''}" is set twice`,
        detail: `${p.message} dockerd does not complain: it silently keeps the last value, so the first one is dead text that misleads the next person who reads the file.`,
        fix: `Keep one "${p.key ?? ''}" entry with the value you want.`,
      }
    case 'syntax':
      return {id: 'json-syntax', status: 'fail', ...pos, title: 'The config file is not valid JSON', detail: `${p.message} dockerd refuses to start until the file parses.`, fix: 'Fix the JSON at that position (quotes, commas, braces), or restore the file from a backup.'}
    case 'root-not-object':
      if (root?.kind === 'null') {
        return {id: 'json-root-null', status: 'warn', ...pos, title: 'The config file holds only null', detail: 'dockerd reads null as "no settings", so every option has its default. It is almost certainly not what was meant.', fix: 'Replace null with {} (or with the settings you need).'}
      }
      return {id: 'json-root-not-object', status: 'fail', ...pos, title: 'The config file is not a JSON object', detail: `${p.message} dockerd expects { "key": value, … } and refuses to start ("cannot unmarshal … into Go value of type map[string]interface {}").`, fix: 'Put the settings inside a single { … } object.'}
    case 'trailing-content':
      return {
        id: 'json-trailing-content',
        status: wholeFile ? 'fail' : 'warn',
        ...pos,
        title: 'Text after the end of the config object',
        detail: wholeFile
          ? 'There is more after the closing }. dockerd refuses to start ("invalid character … after top-level value").'
          : `There is more after the closing }. dockerd ${label} reads only the first object and silently ignores the rest; releases from 23.0 refuse to start.`,
        fix: 'Merge everything into one object and delete what follows the closing }.',
      }
  }
}

function keyFindings(root: Extract<JsonNode, {kind: 'object'}>, target: EngineVersion, label: string, targetKnown: boolean): ConfigFinding[] {
  const out: ConfigFinding[] = []
  const present = new Set(root.members.map((m) => m.key))
  for (const member of root.members) {
    const spec = keySpec(member.key)
    if (spec === undefined) {
      out.push(unknownKey(member, target, label))
      continue
    }
    const versionProblem = versionFinding(spec, member, target, label)
    if (versionProblem !== undefined) {
      out.push(versionProblem)
      if (versionProblem.status === 'fail') continue
    }
    out.push(...checkMember(spec, member, {target, targetLabel: label, targetKnown}))
    if (spec.key === 'ip6tables' && member.value.kind === 'boolean' && member.value.value && !atLeast(target, [27, 0])) {
      const experimental = root.members.find((m) => m.key === 'experimental')?.value
      if (!(experimental?.kind === 'boolean' && experimental.value)) {
        out.push({
          id: 'ip6tables-needs-experimental',
          status: 'fail',
          key: 'ip6tables',
          ...at(member.keyPos),
          title: 'ip6tables needs experimental mode on this dockerd',
          detail: `dockerd ${label} refuses to start with "ip6tables": true unless "experimental" is true ("ip6tables rules are only available if experimental features are enabled"); it became a regular option in 27.0.`,
          fix: 'Remove "ip6tables", or also set "experimental": true.',
        })
      }
    }
  }
  if (present.has('host-gateway-ip') && present.has('host-gateway-ips') && atLeast(target, [28, 0])) {
    const m = root.members.find((x) => x.key === 'host-gateway-ips')
    out.push({id: 'key-both-spellings', status: 'fail', key: 'host-gateway-ips', ...at(m?.keyPos), title: 'host-gateway-ip and host-gateway-ips are both set', detail: 'dockerd refuses to start when the old and the new name of this option are both in the file.', fix: 'Keep only "host-gateway-ips".'})
  }
  return out
}

function versionFinding(spec: KeySpec, member: JsonMember, target: EngineVersion, label: string): ConfigFinding | undefined {
  const pos = at(member.keyPos)
  if (spec.since !== undefined && !atLeast(target, spec.since)) {
    const inner = spec.key === 'proxies' && member.value.kind === 'object' ? member.value.members.map((m) => m.key).join(', ') : spec.key
    return {
      id: 'key-too-new',
      status: 'fail',
      key: spec.key,
      ...pos,
      title: `"${spec.key}" is not known to dockerd ${label}`,
      detail: `"${spec.key}" was added in Docker Engine ${formatVersion(spec.since)}; this daemon is ${label}, which refuses to start ("the following directives don't match any configuration option: ${inner}").`,
      fix: spec.key === 'proxies'
        ? 'Remove "proxies" and set HTTP_PROXY/HTTPS_PROXY/NO_PROXY in a systemd drop-in (Environment=) instead, or upgrade Docker Engine.'
        : `Remove "${spec.key}", or upgrade Docker Engine to ${formatVersion(spec.since)} or later.`,
    }
  }
  if (spec.removedIn !== undefined && atLeast(target, spec.removedIn)) {
    return {
      id: 'key-removed',
      status: 'fail',
      key: spec.key,
      ...pos,
      title: `"${spec.key}" was removed from dockerd`,
      detail: `"${spec.key}" was removed in Docker Engine ${formatVersion(spec.removedIn)}; dockerd ${label} refuses to start with it.`,
      fix: `Remove "${spec.key}".`,
    }
  }
  if (spec.ignoredSince !== undefined && atLeast(target, spec.ignoredSince)) {
    return {id: 'key-ignored', status: 'warn', key: spec.key, ...pos, title: `"${spec.key}" no longer does anything`, detail: `dockerd accepts "${spec.key}" but ignores it since Docker Engine ${formatVersion(spec.ignoredSince)}.`, fix: `Remove "${spec.key}".`}
  }
  if (spec.removedIn !== undefined) {
    return {id: 'key-deprecated', status: 'warn', key: spec.key, ...pos, title: `"${spec.key}" is deprecated`, detail: `dockerd ${label} still accepts "${spec.key}", but Docker Engine ${formatVersion(spec.removedIn)} and later refuse to start with it, so an upgrade will break this file.`, fix: `Remove "${spec.key}" before upgrading.`}
  }
  return undefined
}

/** Names dockerd itself accepts that are not settings (skipped by its unknown-key check). */
const SKIPPED_NAMES = new Set(['deprecated-key-path'])

function isKnownName(name: string): boolean {
  return keySpec(name) !== undefined || (PROXY_KEYS as readonly string[]).includes(name) || SKIPPED_NAMES.has(name)
}

function unknownKey(member: JsonMember, target: EngineVersion, label: string): ConfigFinding {
  const pos = at(member.keyPos)
  if (SKIPPED_NAMES.has(member.key)) {
    return {id: 'key-ignored', status: 'warn', key: member.key, ...pos, title: `"${member.key}" does nothing`, detail: `dockerd skips "${member.key}" without using it.`, fix: `Remove "${member.key}".`}
  }
  // dockerd checks the names inside an unknown object instead of the object's own name.
  if (member.value.kind === 'object' && !FLAT_OBJECT_KEYS.has(member.key) && member.value.members.every((m) => isKnownName(m.key) && (keySpec(m.key)?.since === undefined || atLeast(target, keySpec(m.key)?.since ?? target)))) {
    return {
      id: 'key-unknown-ignored',
      status: 'warn',
      key: member.key,
      ...pos,
      title: `"${member.key}" is not a daemon option and is ignored`,
      detail: `dockerd does not know "${member.key}". Because its value is an object whose names are all known options, dockerd's name check lets it through, but the settings inside are not applied: they do nothing there.`,
      fix: `Move the settings inside "${member.key}" to the top level (if you meant them), then remove "${member.key}".`,
    }
  }
  if (flagNames(target).has(member.key)) {
    const renamed = DAEMON_KEYS.find((s) => s.flag === member.key && s.key !== member.key)?.key
    const proxy = (PROXY_KEYS as readonly string[]).includes(member.key) ? `proxies.${member.key}` : undefined
    const proper = member.key === 'add-runtime' ? 'runtimes' : (renamed ?? proxy)
    return {
      id: 'key-flag-name-ignored',
      status: 'warn',
      key: member.key,
      ...pos,
      title: `"${member.key}" is a flag name, not a config key: it is ignored`,
      detail: `dockerd's name check accepts "${member.key}" because a --${member.key} flag exists, but the file is read with the config key names${proper === undefined ? '' : ` ("${proper}")`}, so this entry is silently ignored: the daemon starts without it.`,
      fix: proper === undefined ? `Remove "${member.key}" (it has no effect in the file).` : `Rename "${member.key}" to "${proper}"${proper.startsWith('proxies.') ? ' (inside a "proxies" object)' : ''}.`,
    }
  }
  const suggestion = suggestKey(member.key)
  const names = member.value.kind === 'object' && !FLAT_OBJECT_KEYS.has(member.key) ? member.value.members.filter((m) => !isKnownName(m.key)).map((m) => m.key).join(', ') : member.key
  return {
    id: 'key-unknown',
    status: 'fail',
    key: member.key,
    ...pos,
    title: `Unknown key "${member.key}"`,
    detail: `dockerd ${label} does not know "${member.key}" and refuses to start ("the following directives don't match any configuration option: ${names}"). Keys are case-sensitive and use the flag's spelling (plural for flags that repeat, e.g. "labels").`,
    fix: suggestion === undefined ? `Remove "${member.key}".` : `Did you mean "${suggestion}"? Rename it, or remove "${member.key}".`,
  }
}

function conflictFindings(root: Extract<JsonNode, {kind: 'object'}>, flags: readonly FlagSetting[], source: string): ConfigFinding[] {
  const out: ConfigFinding[] = []
  const flat = new Map<string, JsonMember>()
  for (const m of root.members) {
    if (m.value.kind === 'object' && !FLAT_OBJECT_KEYS.has(m.key)) {
      for (const inner of m.value.members) flat.set(m.key === 'proxies' ? `proxies.${inner.key}` : inner.key, inner)
    } else flat.set(m.key, m)
  }
  const reported = new Set<string>()
  for (const f of flags) {
    if (f.key === undefined || MERGEABLE_KEYS.has(f.key) || reported.has(f.key)) continue
    const member = flat.get(f.key)
    if (member === undefined) continue
    reported.add(f.key)
    out.push({
      id: 'flag-file-conflict',
      status: 'fail',
      key: f.key,
      ...at(member.keyPos),
      title: `"${f.key}" is set both as a flag and in the file`,
      detail: `${source} passes ${f.flag} ${f.value}, and the file sets "${f.key}" too. dockerd refuses to start when an option comes from both places, even with the same value ("the following directives are specified both as a flag and in the configuration file: ${f.key.replace(/^proxies\./, '')}").${f.key === 'hosts' ? ' On systemd hosts the unit passes -H fd://, so "hosts" cannot be used in daemon.json without a drop-in that clears ExecStart.' : ''}`,
      fix: f.key === 'hosts' ? 'Remove "hosts" from the file, or add a systemd drop-in with an empty ExecStart= followed by ExecStart=/usr/bin/dockerd (no -H), then daemon-reload and restart.' : `Keep "${f.key}" in one place: remove it from the file or drop ${f.flag} from the command line (systemd drop-in), then restart.`,
    })
  }
  return out
}
