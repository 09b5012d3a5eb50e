import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {startTlsFaults, type TlsFault} from './tls-fault-servers.js'

/**
The bad-input table: what a hostile or unlucky user gives dagger-explore, and what must come back.
Every case is run against the built binary; the runner asserts the exit code, no stack frame or
internal-error text, the process gone within its bound, and no planted secret in any output or in
the notes folder.
*/
export interface BadInputCase {
  readonly group: string
  readonly name: string
  readonly args: readonly string[]
  readonly input?: string
  readonly env?: NodeJS.ProcessEnv
  /** Exit codes allowed (documented: 0 ok, 1 problem found, 2 bad usage, 130 interrupted). */
  readonly codes: readonly number[]
  /** The process must be gone within this many ms. */
  readonly boundMs: number
  /** Strings that must appear in no output and in no file of the notes folder. */
  readonly secrets?: readonly string[]
  /** Text stdout or stderr must contain (the message says what to do). */
  readonly says?: RegExp
  /** A signal sent after this many ms (the run then must end with 130 within the bound); with `afterHandler`, counted from when the process catches it. */
  readonly signal?: {readonly name: NodeJS.Signals; readonly afterMs: number; readonly afterHandler?: boolean}
  /** Nothing from the terminal-escape family may reach stdout. */
  readonly noEscapes?: boolean
  /** The notes folder of a run that may be cut short: the session it named is on disk, holds every cell it printed, and no temp file is left. */
  readonly notesOnDisk?: string
  /** Once its last line is out, the process is gone within this many ms (no socket holds it). */
  readonly exitsAfterOutputMs?: number
}

export const scratch = mkdtempSync(path.join(tmpdir(), 'de-badinput-'))
export const notesDir = path.join(scratch, 'notes')
/** Loopback Docker sockets the runner serves: one byte a second, garbage then close, accept and say nothing. */
export const sockets = {slow: path.join(scratch, 'slow.sock'), garbage: path.join(scratch, 'garbage.sock'), silent: path.join(scratch, 'silent.sock')}
mkdirSync(notesDir)
/** TLS and HTTP fault servers on loopback, up for the whole table (closed by the runner). */
export const tlsFaults = await startTlsFaults()

/** What each fault server must be called, and at which layer: what was observed, not what it is not. */
const TLS_VERDICTS: Readonly<Record<TlsFault, readonly [string, string, RegExp]>> = {
  plainHttp: ['plain_http', 'tls', /answered plain HTTP on a TLS port/],
  h2Only: ['http2_only', 'tls', /ALPN h2/],
  garbage: ['not_http', 'ping', /not an HTTP response/],
  http99: ['http_version', 'ping', /HTTP version other than 1\.0 or 1\.1/],
  endlessHeaders: ['headers_too_large', 'ping', /headers exceeded \d+ bytes/],
  selfSigned: ['x509', 'tls', /DEPTH_ZERO_SELF_SIGNED_CERT/],
  expired: ['x509', 'tls', /CERT_HAS_EXPIRED/],
  wrongName: ['x509', 'tls', /ALTNAME_INVALID/],
  handshakeStall: ['tls_handshake_timeout', 'tls', /TLS handshake .*no answer within/],
  alert: ['tls_alert', 'tls', /alert handshake_failure/],
  closeMidHandshake: ['eof', 'tls', /before secure TLS connection|closed the connection before the TLS handshake/],
}

/** A seeded generator, so a "random moment" is the same in every run and a failure can be replayed. */
function moments(seed: number, n: number, min: number, max: number): number[] {
  const out: number[] = []
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647
    out.push(min + (x % (max - min)))
  }
  return out
}

// Secrets are built here, not written out, so this file holds nothing a scanner flags.
const rnd = (alphabet: string, n: number, seed: number): string => {
  let out = ''
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 48271 + 11) % 2147483647
    out += alphabet[x % alphabet.length]
  }
  return out
}
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** [label, line with the secret planted, the secret] */
const PLANTED: readonly [string, string, string][] = (() => {
  const s = (seed: number, n = 36) => rnd(AN, n, seed)
  const list: [string, (v: string) => string, string][] = [
    ['docker login -p', (v) => `ERROR: failed to run: docker login -u admin -p ${v} 127.0.0.1:5443: exit status 1`, `Pw${s(1, 12)}`],
    ['--password', (v) => `ERROR: skopeo copy --dest-password ${v} failed: unauthorized`, `Pw${s(2, 12)}`],
    ['--password=', (v) => `error: crane auth login --password=${v} failed`, `Pw${s(3, 12)}`],
    ['ghp_', (v) => `ERROR: clone https://${v}@github.com/o/r failed: 403`, `ghp_${s(4)}`],
    ['gho_', (v) => `error: token ${v} rejected`, `gho_${s(5)}`],
    ['ghs_', (v) => `failed: GITHUB=${v}`, `ghs_${s(6)}`],
    ['github_pat_', (v) => `error: bad credentials for ${v}`, `github_pat_${s(7, 22)}_${s(8, 59)}`],
    ['glpat-', (v) => `ERROR: gitlab token ${v} expired`, `glpat-${s(9, 20)}`],
    ['xoxb-', (v) => `error: slack notify failed with ${v}`, `xoxb-1234567890-${s(10, 24)}`],
    ['xoxp-', (v) => `ERROR: ${v} revoked`, `xoxp-1234567890-${s(11, 24)}`],
    ['npm_', (v) => `npm ERR! 403 Forbidden - token ${v}`, `npm_${s(12)}`],
    ['pypi-', (v) => `ERROR: twine upload failed (${v})`, `pypi-AgEIcHlwaS5vcmc${s(13, 60)}`],
    ['AKIA', (v) => `ERROR: aws: InvalidClientTokenId for ${v}`, `AKIA${rnd(UP, 16, 14)}`],
    ['AWS secret', (v) => `ERROR: env AWS_SECRET_ACCESS_KEY=${v} rejected`, s(15, 40)],
    ['AIza', (v) => `error: API key ${v} not valid`, `AIza${s(16, 35)}`],
    ['Azure AccountKey', (v) => `ERROR: DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${v};EndpointSuffix=core.windows.net failed`, `${s(17, 86)}==`],
    ['Azure sig=', (v) => `ERROR: GET https://a.blob.core.windows.net/c?sv=2021&sig=${v} 403`, s(18, 43)],
    ['dckr_pat_', (v) => `ERROR: login with ${v} failed: unauthorized`, `dckr_pat_${s(19, 27)}`],
    ['JWT', (v) => `error: token ${v} invalid`, `eyJ${s(20, 20)}.eyJ${s(21, 30)}.${s(22, 43)}`],
    ['Authorization', (v) => `ERROR: request failed, sent Authorization: Bearer ${v}`, s(23, 30)],
    ['URL userinfo', (v) => `ERROR: failed to push https://user:${v}@127.0.0.1:5443/v2/: 401`, `Pw${s(24, 12)}`],
    ['host userinfo', (v) => `ERROR: failed to resolve admin:${v}@127.0.0.1:5443/app:1`, `Pw${s(25, 12)}`],
    ['*_TOKEN=', (v) => `ERROR: build arg DAGGER_CLOUD_TOKEN=${v} refused`, s(26, 30)],
    ['*_SECRET=', (v) => `error: MY_SECRET=${v} leaked`, s(27, 20)],
    ['*_PASSWORD=', (v) => `ERROR: REGISTRY_PASSWORD=${v} wrong`, `Pw${s(28, 12)}`],
    ['*_KEY=', (v) => `ERROR: DEPLOY_KEY=${v} wrong`, s(29, 20)],
    ['dag_', (v) => `error: Dagger Cloud token ${v} unknown`, `dag_${s(30, 30)}`],
    ['ya29.', (v) => `ERROR: oauth ${v} expired`, `ya29.${s(31, 60)}`],
    ['x-registry-auth', (v) => `ERROR: X-Registry-Auth: ${v} refused`, `eyJ${s(32, 30)}`],
    ['json auth', (v) => `ERROR: bad config {"auths":{"127.0.0.1:5443":{"auth":"${v}"}}}`, s(33, 24)],
  ]
  return list.map(([label, line, secret]) => [label, line(secret), secret] as [string, string, string])
})()

const PEM_SECRET = rnd(AN, 64, 99)
const PEM_LOG = `#12 ERROR: process "/bin/sh -c cat id_ed25519" did not complete successfully\n-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_SECRET}\n${rnd(AN, 64, 98)}\n-----END OPENSSH PRIVATE KEY-----\nERROR: failed to solve: exit code 1\n`

const ESC_SAMPLES: readonly [string, string][] = [
  ['OSC 52 clipboard', 'ERROR: x\u001B]52;c;ZXZpbA==\u0007 failed'],
  ['OSC 0 title', 'ERROR: \u001B]0;pwned\u0007failed to solve'],
  ['clear screen', 'ERROR: \u001B[2J\u001B[Hfailed to solve'],
  ['8-bit CSI', 'ERROR: \u009B2Jfailed'],
  ['DCS', 'ERROR: \u001BPq#0;2\u001B\\failed'],
  ['OSC 8 link', 'ERROR: \u001B]8;;http://127.0.0.1/\u001B\\click\u001B]8;;\u001B\\ failed'],
  ['cursor save/restore', 'ERROR: \u001B7\u001B[99;1Hx\u001B8 failed'],
  ['bell and backspace', 'ERROR: \u0007\u0008\u0008failed'],
  ['C1 OSC', 'ERROR: \u009D0;t\u009C failed'],
  ['APC', 'ERROR: \u001B_Gabc\u001B\\ failed'],
]

const BAD_REFS: readonly string[] = ['', '/', '..', '%2e%2e', '../../_ping', '../containers/json', 'a/../../b', 'UPPER/Case', 'alpine@md5:0123456789abcdef0123456789abcdef', 'alpine@sha256:abc', `${'a'.repeat(256)}:1`, 'a'.repeat(10_000), 'evil\u001B[2Jname/', 'name with space', 'http://127.0.0.1:5443/x', 'x:', 'x@', '-rf', '.hidden', 'a//b']

function special(): Record<string, string> {
  const fifo = path.join(scratch, 'daemon-fifo.json')
  execFileSync('mkfifo', [fifo])
  const dir = path.join(scratch, 'daemon-dir.json')
  mkdirSync(dir)
  const loop = path.join(scratch, 'loop.json')
  symlinkSync(loop, loop)
  const dangling = path.join(scratch, 'dangling.json')
  symlinkSync(path.join(scratch, 'nowhere'), dangling)
  const deepArrays = path.join(scratch, 'deep-arrays.json')
  writeFileSync(deepArrays, `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`)
  const deepObjects = path.join(scratch, 'deep-objects.json')
  writeFileSync(deepObjects, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`)
  const unclosed = path.join(scratch, 'deep-unclosed.json')
  writeFileSync(unclosed, '['.repeat(100_000))
  const binary = path.join(scratch, 'binary.json')
  writeFileSync(binary, Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x7d]))
  const file = path.join(scratch, 'a-file')
  writeFileSync(file, 'x')
  const danglingDir = path.join(scratch, 'dangling-notes')
  symlinkSync(path.join(scratch, 'no-such-folder'), danglingDir)
  const loopDir = path.join(scratch, 'loop-notes')
  symlinkSync(loopDir, loopDir)
  // A notes folder holding traps: a FIFO and a directory named like sessions, a loop, a crafted title.
  const trapNotes = path.join(scratch, 'trap-notes')
  mkdirSync(trapNotes)
  execFileSync('mkfifo', [path.join(trapNotes, '2026-01-01T000000-session.md')])
  mkdirSync(path.join(trapNotes, '2026-01-02T000000-session.md'))
  symlinkSync(path.join(trapNotes, '2026-01-03T000000-session.md'), path.join(trapNotes, '2026-01-03T000000-session.md'))
  writeFileSync(path.join(trapNotes, '2026-01-04T000000-session.md'), '# title \u001B]52;c;ZXZpbA==\u0007\u001B]0;x\u0007\u001B[2Jend\n\n## Summary\n\n- **\u001B[31mred\u001B[0m**\n')
  return {fifo, dir, loop, dangling, deepArrays, deepObjects, unclosed, binary, file, danglingDir, loopDir, trapNotes}
}

const STACK = /^\s+at .+:\d+:\d+\)?$|node:internal|Unhandled 'error' event|Maximum call stack|something went wrong inside dagger-explore|TypeError:|RangeError:|ImageReferenceError:/m
export {STACK}

export function buildCases(): BadInputCase[] {
  const f = special()
  const cases: BadInputCase[] = []
  const nd = ['--notes-dir', notesDir]

  // Logs with planted secrets, through explain in every output form and through the notes of `check`.
  for (const [label, line, secret] of PLANTED) {
    cases.push({group: 'logs', name: `explain --json: ${label}`, args: ['explain', '--json', '-'], input: `${line}\n`, codes: [0, 1], boundMs: 8000, secrets: [secret]})
    cases.push({group: 'logs', name: `explain plain: ${label}`, args: ['explain', '-'], input: `#5 running\n${line}\n`, codes: [0, 1], boundMs: 8000, secrets: [secret]})
  }
  cases.push({group: 'logs', name: 'explain: OpenSSH private key block', args: ['explain', '--json', '-'], input: PEM_LOG, codes: [0, 1], boundMs: 8000, secrets: [PEM_SECRET]})
  cases.push({group: 'logs', name: 'explain plain: OpenSSH private key block', args: ['explain', '-'], input: PEM_LOG, codes: [0, 1], boundMs: 8000, secrets: [PEM_SECRET]})
  cases.push({group: 'logs', name: 'explain keeps ordinary words', args: ['explain', '--json', '-'], input: 'ERROR: failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized\n', codes: [1], boundMs: 8000, says: /failed to authorize: failed to fetch oauth token/})
  for (const [label, text] of ESC_SAMPLES) {
    cases.push({group: 'hostile text', name: `explain strips ${label}`, args: ['explain', '-'], input: `${text}\n`, codes: [0, 1], boundMs: 8000, noEscapes: true})
    cases.push({group: 'hostile text', name: `explain --json strips ${label}`, args: ['explain', '--json', '-'], input: `${text}\n`, codes: [0, 1], boundMs: 8000, noEscapes: true})
  }
  const garbage: [string, string][] = [
    ['NUL bytes', 'ERROR:\u0000\u0000 failed\n'],
    ['one 2 MB line', `ERROR: ${'x'.repeat(2_000_000)}\n`],
    ['only CRs', '\r'.repeat(10_000)],
    ['invalid UTF-8 as text', '\uFFFD\uFFFE ERROR: failed\n'],
    ['100k lines', 'step\n'.repeat(100_000)],
    ['empty', ''],
    ['10k nested brackets', `ERROR: ${'['.repeat(10_000)}\n`],
    ['regex-hostile', `ERROR: ${'a'.repeat(50_000)}@${':'.repeat(50_000)}\n`],
    ['long password-like run', `password: ${'-'.repeat(100_000)}\n`],
    ['many Authorization headers', 'Authorization: \n'.repeat(20_000)],
  ]
  for (const [label, text] of garbage) cases.push({group: 'logs', name: `explain survives ${label}`, args: ['explain', '-'], input: text, codes: [0, 1], boundMs: 15_000})

  // Image and container references: Docker's grammar, before any URL.
  for (const ref of BAD_REFS) {
    const shown = JSON.stringify(ref.length > 40 ? `${ref.slice(0, 30)}…(${ref.length})` : ref)
    cases.push({group: 'refs', name: `tree ${shown}`, args: ['tree', ref], codes: [2], boundMs: 8000})
    cases.push({group: 'refs', name: `check --image ${shown}`, args: ['check', 'components', '--plain', ...nd, '--image', ref], codes: [2], boundMs: 8000})
  }
  const badControl = ['', '  ', '..', 'alpine@md5:0123456789abcdef0123456789abcdef', 'http://127.0.0.1/x', 'a'.repeat(10_000), 'A B']
  for (const c of badControl) cases.push({group: 'refs', name: `--control ${JSON.stringify(c.slice(0, 30))}`, args: ['check', 'registry', '--plain', ...nd, '--control', c], codes: [2], boundMs: 8000})
  const badHosts: [string, string[]][] = [
    ['user:pw@127.0.0.1:5443', ['pw']],
    ['admin:S3cretPw9@127.0.0.1:5443', ['S3cretPw9']],
    ['a b', []],
    ['', []],
    ['https://127.0.0.1:5443', []],
    ['127.0.0.1:5443/path', []],
    ['127.0.0.1:99999', []],
    ['-bad-.example', []],
    ['nodots', []],
    ['\u001B[2J127.0.0.1', []],
  ]
  for (const [h, secrets] of badHosts) cases.push({group: 'refs', name: `--registry-host ${JSON.stringify(h)}`, args: ['check', 'registry', '--plain', ...nd, '--registry-host', h], codes: [2], boundMs: 8000, secrets: secrets.length > 0 ? [`:${secrets[0]}@`] : []})
  cases.push({group: 'refs', name: '--registry-host with credentials in --json', args: ['check', 'registry', '--json', ...nd, '--registry-host', 'user:Pw0rdZZ@127.0.0.1:5443'], codes: [2], boundMs: 8000, secrets: ['Pw0rdZZ']})
  cases.push({group: 'refs', name: 'DAGGER_EXPLORE_REGISTRY_HOST with credentials', args: ['check', 'registry', '--plain', ...nd, '--refs', '127.0.0.1:5443/library/alpine:3.18', '--control', 'none'], env: {DAGGER_EXPLORE_REGISTRY_HOST: 'user:Pw0rdYY@127.0.0.1:5443'}, codes: [0, 1], boundMs: 30_000, secrets: ['Pw0rdYY']})

  // Notes folders that cannot hold notes.
  const badNotes: [string, string][] = [
    ['a file', f.file ?? ''],
    ['/dev/null', '/dev/null'],
    ['/proc', '/proc'],
    ['/proc/self', '/proc/self'],
    ['/sys', '/sys'],
    ['a dangling symlink', f.danglingDir ?? ''],
    ['a symlink loop', f.loopDir ?? ''],
    ['below a file', path.join(f.file ?? '', 'sub')],
    ['empty', ''],
  ]
  for (const [label, dir] of badNotes) {
    cases.push({group: 'notes dirs', name: `--notes-dir ${label} (check)`, args: ['check', 'environment', '--plain', '--notes-dir', dir], codes: [2], boundMs: 8000, says: /notes-dir|notes folder/})
    cases.push({group: 'notes dirs', name: `--notes-dir ${label} (json)`, args: ['check', 'environment', '--json', '--notes-dir', dir], codes: [2], boundMs: 8000})
  }
  cases.push({group: 'notes dirs', name: 'notes lists past FIFO, directory and loop sessions', args: ['notes', '--notes-dir', f.trapNotes ?? ''], codes: [0], boundMs: 5000, noEscapes: true, says: /title/})
  cases.push({group: 'notes dirs', name: 'notes --json lists past traps', args: ['notes', '--json', '--notes-dir', f.trapNotes ?? ''], codes: [0], boundMs: 5000, noEscapes: true})
  cases.push({group: 'notes dirs', name: 'notes export of a FIFO', args: ['notes', 'export', path.join(f.trapNotes ?? '', '2026-01-01T000000-session.md'), '--notes-dir', f.trapNotes ?? ''], codes: [1, 2], boundMs: 5000})

  // Special files as daemon.json.
  const specials: [string, string][] = [
    ['a FIFO', f.fifo ?? ''],
    ['a directory', f.dir ?? ''],
    ['a symlink loop', f.loop ?? ''],
    ['a dangling symlink', f.dangling ?? ''],
    ['/dev/null', '/dev/null'],
    ['/dev/zero', '/dev/zero'],
    ['/dev/urandom', '/dev/urandom'],
    ['binary bytes', f.binary ?? ''],
    ['10,000-deep arrays', f.deepArrays ?? ''],
    ['10,000-deep objects', f.deepObjects ?? ''],
    ['100,000 unclosed brackets', f.unclosed ?? ''],
  ]
  for (const [label, file] of specials) {
    cases.push({group: 'special files', name: `daemon-config ${label}`, args: ['daemon-config', file], codes: [1, 2], boundMs: 8000})
    cases.push({group: 'special files', name: `daemon-config --json ${label}`, args: ['daemon-config', '--json', file], codes: [1, 2], boundMs: 8000})
    cases.push({group: 'special files', name: `daemon-config reset ${label}`, args: ['daemon-config', 'reset', file, '--json'], codes: [1, 2], boundMs: 8000})
    cases.push({group: 'special files', name: `check daemon --daemon-config ${label}`, args: ['check', 'daemon', '--plain', ...nd, '--daemon-config', file], codes: [0, 1], boundMs: 10_000})
  }

  cases.push({group: 'special files', name: 'check daemon --daemon-config /nonexistent fails, never "matches"', args: ['check', 'daemon', '--plain', ...nd, '--daemon-config', '/nonexistent/daemon.json'], codes: [1], boundMs: 8000, says: /does not exist/})
  const dupes = path.join(scratch, 'duplicate-keys.json')
  writeFileSync(dupes, '{"max-concurrent-downloads": 3, "max-concurrent-downloads": 50}\n')
  // dockerd keeps the last of duplicates: reset names that live value, not the dead first one.
  cases.push({group: 'special files', name: 'daemon-config reset on duplicate keys names the live value', args: ['daemon-config', 'reset', dupes], codes: [1, 2], boundMs: 8000, says: /drop max-concurrent-downloads: 50\n/})
  cases.push({group: 'special files', name: 'daemon-config on a FIFO advises no sudo', args: ['daemon-config', f.fifo ?? ''], codes: [1], boundMs: 8000, says: /named pipe/})

  // Usage errors: one paragraph, exit 2.
  const usage: string[][] = [
    ['--timeout', 'abc'], ['--timeout', '-1'], ['--timeout', '0'], ['--timeout', '99999999'], ['--timeout', '1.5'], ['--bogus'], ['nosuchcommand'],
    ['check', 'nosuchcell'], ['tree'], ['tree', 'a', 'b'], ['explain', '/nonexistent/log'], ['engine', 'nosuchaction'], ['recipe', 'no-such-recipe', '--dry-run'],
    ['daemon-config', '--target', 'banana'], ['daemon-config', '--timeout', 'x'], ['daemon-config', 'a', 'b'], ['diagnose'], ['recipe', '--var', 'novalue', '--dry-run'],
    ['notes', 'export', '/nonexistent-session.md'], ['check', '--resume', '--notes-dir', path.join(scratch, 'empty-notes')],
  ]
  for (const args of usage) cases.push({group: 'usage', name: args.join(' ') || '(none)', args, codes: [2], boundMs: 8000})

  // Signals at points where the process waits: stdin that never ends, a running cell.
  for (const [sig, after] of [['SIGTERM', 300], ['SIGINT', 300], ['SIGHUP', 300], ['SIGTERM', 1200], ['SIGINT', 1200]] as const) {
    cases.push({group: 'signals', name: `${sig} after ${after} ms to explain on an open stdin`, args: ['explain', '-'], codes: [130], boundMs: after + 3000, signal: {name: sig, afterMs: after, afterHandler: true}})
  }
  for (const [sig, after] of [['SIGTERM', 400], ['SIGINT', 400], ['SIGTERM', 900]] as const) {
    cases.push({group: 'signals', name: `${sig} after ${after} ms to check environment`, args: ['check', 'environment', 'daemon', '--plain', ...nd], codes: [0, 1, 130], boundMs: after + 4000, signal: {name: sig, afterMs: after, afterHandler: true}})
  }
  // Docker sockets that answer one byte a second, with garbage, or not at all: every command ends
  // within its own deadline plus a second, and within a second and a half of Ctrl-C (a garbage socket
  // may have ended the command, exit 1, before the signal comes).
  const slowCommands: [string, string[], number][] = [
    ['daemon-config', ['daemon-config'], 9000],
    ['daemon-config --json', ['daemon-config', '--json'], 9000],
    ['check environment', ['check', 'environment', '--plain', ...nd], 10_000],
    ['check daemon --json', ['check', 'daemon', '--json', ...nd], 10_000],
    ['tree', ['tree', 'localhost/x:1'], 12_000],
    ['engine status', ['engine', 'status'], 17_000],
  ]
  for (const [kind, sock] of Object.entries(sockets)) {
    for (const [label, args, bound] of slowCommands) {
      // Bounded by its own deadline, then gone within a second: the entry point closes every Docker socket.
      cases.push({group: 'slow sockets', name: `${label} on a ${kind} socket`, args, env: {DOCKER_HOST: `unix://${sock}`}, codes: [0, 1], boundMs: bound, exitsAfterOutputMs: 1000})
    }
    for (const [label, args] of [['check environment', ['check', 'environment', 'daemon', '--plain', ...nd]], ['tree', ['tree', 'localhost/x:1']], ['engine status', ['engine', 'status']]] as const) {
      cases.push({group: 'slow sockets', name: `Ctrl-C to ${label} on a ${kind} socket`, args: [...args], env: {DOCKER_HOST: `unix://${sock}`}, codes: kind === 'garbage' ? [1, 130] : [130], boundMs: 1500 + 1000, signal: {name: 'SIGINT', afterMs: 1500}})
    }
  }

  // Docker endpoints that cannot be one: each message names what the path or scheme is.
  const sockDir = path.join(scratch, 'socket-dir')
  mkdirSync(sockDir)
  const endpointCases: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['DOCKER_HOST=npipe://', {DOCKER_HOST: 'npipe://'}, /"npipe:\/\/" is a Windows named pipe/],
    ['DOCKER_HOST=npipe:////./pipe/docker_engine', {DOCKER_HOST: 'npipe:////./pipe/docker_engine'}, /is a Windows named pipe, and this is linux/],
    ['unix:// to a directory', {DOCKER_HOST: `unix://${sockDir}`}, /which is a directory, not a socket/],
    ['unix:// to a regular file', {DOCKER_HOST: `unix://${f.file ?? ''}`}, /which is a regular file, not a socket/],
    ['unix:// to a FIFO', {DOCKER_HOST: `unix://${f.fifo ?? ''}`}, /which is a named pipe \(FIFO\), not a socket/],
  ]
  for (const [label, env, says] of endpointCases) {
    cases.push({group: 'endpoints', name: `engine status: ${label}`, args: ['engine', 'status'], env, codes: [1], boundMs: 8000, says})
    cases.push({group: 'endpoints', name: `check environment: ${label}`, args: ['check', 'environment', '--plain', ...nd], env, codes: [1], boundMs: 8000, says})
    cases.push({group: 'endpoints', name: `daemon-config: ${label}`, args: ['daemon-config', '--json'], env, codes: [0, 1], boundMs: 8000})
  }
  cases.push({group: 'endpoints', name: 'DOCKER_CONFIG is a file', args: ['check', 'environment', '--plain', ...nd], env: {DOCKER_CONFIG: f.file ?? ''}, codes: [0, 1], boundMs: 8000, says: /is a file, not a folder.*\n.*Fix: Point DOCKER_CONFIG at the folder/})
  // A reference carrying an escape is shown with the escape written out, never cleaned into a valid-looking name.
  for (const [label, args] of [
    ['diagnose', ['diagnose', '127.0.0.1:5443/evil\u001B[2Jname:1']],
    ['check --refs', ['check', 'registry', '--plain', ...nd, '--refs', '127.0.0.1:5443/evil\u001B[2Jname:1', '--control', 'none']],
    ['tree', ['tree', 'evil\u001B[2Jname']],
  ] as const) {
    // check reports a bad --refs entry as a finding (and goes on), the others refuse it as bad usage.
    cases.push({group: 'refs', name: `${label} shows the escape in a ref`, args: [...args], codes: label === 'check --refs' ? [1] : [2], boundMs: 8000, says: /"127\.0\.0\.1:5443\/evil\\u001b\[2Jname:1" is not an image reference|\\u001b\[2J/, noEscapes: true})
  }

  // TLS and HTTP faults on loopback: each is named for what it did, through diagnose (both forms) and the Registry cell.
  const tlsEnv = {NODE_EXTRA_CA_CERTS: tlsFaults.certs.caFile, HOME: scratch, DOCKER_CONFIG: path.join(scratch, 'no-docker-config')}
  for (const [fault, [category, layer, detail]] of Object.entries(TLS_VERDICTS) as [TlsFault, readonly [string, string, RegExp]][]) {
    const ref = tlsFaults.ref(fault)
    const diag = ['diagnose', ref, '--control', 'none', '--layer-timeout', '1500']
    cases.push({group: 'tls faults', name: `diagnose --json: ${fault}`, args: [...diag, '--json'], env: tlsEnv, codes: [1], boundMs: 10_000, says: new RegExp(`"category": "${category}",\\s+"layer": "${layer}"`)})
    cases.push({group: 'tls faults', name: `diagnose: ${fault}`, args: diag, env: tlsEnv, codes: [1], boundMs: 10_000, says: detail})
    cases.push({group: 'tls faults', name: `check registry --refs: ${fault}`, args: ['check', 'registry', '--plain', ...nd, '--refs', ref, '--control', 'none', '--timeout', '1500'], env: tlsEnv, codes: [1], boundMs: 15_000, says: new RegExp(`${category} at ${layer}`)})
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    cases.push({group: 'tls faults', name: `${sig} during a stalled TLS handshake`, args: ['diagnose', tlsFaults.ref('handshakeStall'), '--control', 'none', '--layer-timeout', '8000'], env: tlsEnv, codes: [130], boundMs: 700 + 1500, signal: {name: sig, afterMs: 700, afterHandler: true}})
  }

  // Signals at seeded random moments while a session writes its notes: whatever the moment, the
  // process ends within its bound with no trace, and the notes it said it writes are on disk, whole.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
  moments(15, 18, 30, 600).forEach((after, i) => {
    const sig = signals[i % 3] ?? 'SIGINT'
    const dir = path.join(scratch, `signal-notes-${i}`)
    mkdirSync(dir)
    cases.push({group: 'signals during writes', name: `${sig} after ${after} ms to check environment daemon`, args: ['check', 'environment', 'daemon', '--plain', '--notes-dir', dir], codes: [0, 1, 130], boundMs: after + 4000, signal: {name: sig, afterMs: after, afterHandler: true}, notesOnDisk: dir})
  })
  // A stop signal while Node is still loading the app (before any command could claim it) ends with
  // 130 too: the handler is the first statement of bin/dagger-explore.js; only Node's own bootstrap
  // (about 25 ms) comes before it.
  moments(43, 9, 0, 120).forEach((after, i) => {
    const sig = signals[i % 3] ?? 'SIGTERM'
    const signal = {name: sig, afterMs: after, afterHandler: true}
    cases.push({group: 'signals during start-up', name: `${sig} ${after} ms after the handler, to check environment`, args: ['check', 'environment', '--plain', ...nd], codes: [0, 130], boundMs: after + 4000, signal})
    cases.push({group: 'signals during start-up', name: `${sig} ${after} ms after the handler, to daemon-config`, args: ['daemon-config', '/nonexistent/daemon.json'], codes: [1, 130], boundMs: after + 4000, signal})
  })
  return cases
}
