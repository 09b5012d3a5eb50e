/**
Cleaning of every text that came from outside (command output, container names, log lines) before it
is displayed or written: escape sequences and control characters go, secrets are redacted.
*/

// CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, and two-byte ESC sequences; also the 8-bit C1 forms.
const ESCAPES =
  /(?:\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?)|(?:\u009D[^\u0007\u009C]*(?:\u0007|\u009C)?)|(?:[\u001BP\u001BX\u001B^\u001B_][^\u001B]*\u001B\\)|(?:(?:\u001B\[|\u009B)[0-?]*[ -/]*[@-~])|(?:\u001B[ -/]*[0-~])/g
// Keep tab and newline; a carriage return in the middle of a line (progress bars) becomes a newline.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

/** Removes terminal escape sequences and control characters, keeping tabs and newlines. */
export function stripControl(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r\n/g, '\n')
    .replace(/\r(?!\n)/g, '\n')
    .replace(CONTROLS, '')
}

const REDACTED = '[REDACTED]'

interface Rule {
  readonly pattern: RegExp
  readonly replace: string | ((...groups: string[]) => string)
}

const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth)[A-Za-z0-9_.-]*`

const RULES: readonly Rule[] = [
  // HTTP headers, as printed by curl -v, Go errors or our own request logs.
  {pattern: /\b((?:proxy-)?authorization\s*[:=]\s*)(?:"[^"\n]*"|[^\n,}]+)/gi, replace: `$1${REDACTED}`},
  {pattern: /\b(x-registry-auth\s*[:=]\s*)[^\s,}]+/gi, replace: `$1${REDACTED}`},
  {pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, replace: `$1 ${REDACTED}`},
  // JSON Web Tokens: three base64url parts, the first two starting with `eyJ` (`{"`).
  {pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: REDACTED},
  // Known token shapes: Dagger Cloud, GitHub, Docker Hub personal access tokens.
  {pattern: /\b(?:dag_[A-Za-z0-9_]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|dckr_pat_[A-Za-z0-9_-]{10,})/g, replace: REDACTED},
  // `auths` in a docker config: every "auth" / "identitytoken" / "registrytoken" value.
  {pattern: /("(?:auth|identitytoken|registrytoken|password|secret|token)"\s*:\s*)"[^"]*"/gi, replace: `$1"${REDACTED}"`},
  // Credentials in URLs: scheme://user:password@host.
  {pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^@\s/]+@/gi, replace: `$1${REDACTED}@`},
  // Query parameters: ?token=..., &password=...
  {pattern: new RegExp(String.raw`([?&;](?:${SECRET_NAME})=)[^&#\s"']*`, 'gi'), replace: `$1${REDACTED}`},
  // Flags followed by their value: --password hunter2, --token=abc.
  {pattern: /(--?(?:password|passwd|token|secret|api-key|access-key)(?:=|\s+))(?!-)("[^"\n]*"|'[^'\n]*'|[^\s"']+)/gi, replace: `$1${REDACTED}`},
  // Assignments: DAGGER_CLOUD_TOKEN=..., export GITHUB_TOKEN="...", "password": "...", secret: ...
  {
    pattern: new RegExp(String.raw`(?<![./:@\w-])(${SECRET_NAME})(\s*=\s*|\s*:[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s"',;}]+)`, 'gi'),
    replace: (match: string, name: string, sep: string, value: string) =>
      value.includes(REDACTED) ? match : `${name}${sep}${REDACTED}`,
  },
]

/** Replaces secrets with `[REDACTED]`: auth headers, Bearer/Basic credentials, JWTs, secret env vars and query parameters, docker config `auths`. */
export function redact(text: string): string {
  let out = text
  for (const rule of RULES) {
    out = typeof rule.replace === 'string' ? out.replace(rule.pattern, rule.replace) : out.replace(rule.pattern, rule.replace as (...a: string[]) => string)
  }
  return out
}

/** Both cleanings, in the order that matters: escapes first so that they cannot hide a secret from the redactor. */
export function sanitize(text: string): string {
  return redact(stripControl(text))
}
