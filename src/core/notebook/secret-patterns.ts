/**
The redaction table: the token formats secret scanners know (GitHub, GitLab, Slack, npm, PyPI, AWS,
GCP, Azure, Docker Hub, Dagger Cloud, JWTs, PEM/OpenSSH private keys) and the places a credential
sits in text (URL userinfo, `-p`/`--password` arguments, `Authorization` headers, `*_TOKEN=`-style
assignments, JSON keys). Every rule stops at a quote or backslash so that running it over JSON output
never breaks the document. Ordinary sentences ("failed to authorize: failed to fetch oauth token",
`docker run -p 8080:80`, `mkdir -p`, digests, `git@host:repo`) must come through untouched: the
table test holds both kinds.
*/

export const REDACTED = '[REDACTED]'

export interface SecretRule {
  readonly name: string
  readonly pattern: RegExp
  readonly replace: string | ((match: string, ...groups: string[]) => string)
}

// Names that hold a secret when something is assigned to them. The name must END with one of these
// words: `authorize:` or `tokens=5` are not assignments of a secret.
const SECRET_SUFFIX = String.raw`(?:password|passwd|passphrase|token|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|_key|credentials?|_auth|auth_?token|secret_?key|client_?secret)`
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*${SECRET_SUFFIX}`
// A value that looks like a credential rather than a word of prose: a digit or symbol in it, or long.
const SECRETISH = String.raw`(?=[^\s"'\\]*[0-9+/=_~!#$%^&*.-])[^\s"'\\,;}]{4,}|[^\s"'\\,;}]{16,}`
const UNQUOTED = String.raw`[^\s"'\\,;}]+`

/** Known token shapes, each whole token replaced. */
const TOKEN_SHAPES: readonly [string, string][] = [
  ['GitHub token', String.raw`gh[pousr]_[A-Za-z0-9]{30,}`],
  ['GitHub fine-grained PAT', String.raw`github_pat_[A-Za-z0-9_]{22,}`],
  ['GitLab token', String.raw`gl(?:pat|dt|rt|ptt|ft|soat|cbt|oas)-[A-Za-z0-9_-]{20,}`],
  ['Slack token', String.raw`xox[abprs]-[A-Za-z0-9-]{10,}`],
  ['Slack app token', String.raw`xapp-[0-9]-[A-Za-z0-9-]{10,}`],
  ['npm token', String.raw`npm_[A-Za-z0-9]{36}`],
  ['PyPI token', String.raw`pypi-[A-Za-z0-9_-]{50,}`],
  ['AWS access key id', String.raw`(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}`],
  ['GCP API key', String.raw`AIza[0-9A-Za-z_-]{35}`],
  ['Google OAuth access token', String.raw`ya29\.[0-9A-Za-z_-]{20,}`],
  ['Docker Hub token', String.raw`dckr_(?:pat|oat)_[A-Za-z0-9_-]{10,}`],
  ['Dagger Cloud token', String.raw`dag_[A-Za-z0-9_]{10,}`],
  ['Stripe secret key', String.raw`(?:sk|rk)_live_[A-Za-z0-9]{16,}`],
  ['JSON Web Token', String.raw`eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`],
]

export const SECRET_RULES: readonly SecretRule[] = [
  // Private keys, PEM or OpenSSH, multi-line (or with literal \n inside JSON), also when cut short.
  {
    name: 'private key block',
    pattern: /(-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----)(?:[\s\S]*?(-----END \2-----)|[A-Za-z0-9+/=\s\\:,-]*)/g,
    replace: (_m: string, begin: string, kind: string) => `${begin}${REDACTED}-----END ${kind}-----`,
  },
  ...TOKEN_SHAPES.map(([name, shape]): SecretRule => ({name, pattern: new RegExp(String.raw`(?<![A-Za-z0-9_])${shape}`, 'g'), replace: REDACTED})),
  // HTTP headers, as printed by curl -v, Go errors or our own request logs.
  {
    name: 'Authorization header',
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(Bearer|Basic|Token|Digest|Negotiate|Bot|AWS4-HMAC-SHA256)\s+[^\s"'\\]+|(?=[^\s"'\\]*[0-9+/=_.-])[^\s"'\\,}]{8,})/gi,
    replace: (_m: string, head: string, scheme: string | undefined) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  },
  {name: 'X-Registry-Auth header', pattern: /\b(x-registry-auth["']?\s*[:=]\s*["']?)[^\s"'\\,}]+/gi, replace: `$1${REDACTED}`},
  {name: 'Bearer/Basic credential', pattern: /\b(Bearer|Basic) (?=[A-Za-z0-9._~+/-]*[0-9+/=._~-])(?!realm\b)[A-Za-z0-9._~+/=-]{8,}/g, replace: `$1 ${REDACTED}`},
  // `auths` in a docker config, a service-account JSON, an OAuth reply: every secret-named string value.
  {name: 'JSON secret value', pattern: new RegExp(String.raw`("(?:${SECRET_NAME}|auth|identitytoken|registrytoken|private_key_id|refresh_token|access_token|id_token)"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi'), replace: `$1"${REDACTED}"`},
  // Credentials in URLs: scheme://user:password@host.
  {name: 'URL userinfo', pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"'\\]+:)[^@\s/"'\\]+@/gi, replace: `$1${REDACTED}@`},
  // user:password@host[:port] without a scheme (a --registry-host, a proxy setting). A digest
  // (`alpine:3.18@sha256:…`) is not one: the name before `:` must not follow `/`, `.` or `:`, and the host must not be `algo:hex`.
  {
    name: 'host userinfo',
    pattern: /(?<![\w/.:@%-])([A-Za-z0-9._%+-]+:)[^\s@/:"'\\]+@(?=[A-Za-z0-9.-]+(?::\d+)?(?:[/\s"'),;\]]|$)|\[[0-9a-fA-F:]+\])/g,
    replace: `$1${REDACTED}@`,
  },
  // Azure storage connection strings and SAS signatures; query parameters named like secrets.
  {name: 'Azure key', pattern: /\b((?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"'\\]+/g, replace: `$1${REDACTED}`},
  {name: 'query secret', pattern: new RegExp(String.raw`([?&;](?:${SECRET_NAME}|sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|code)=)[^&#\s"'\\]+`, 'gi'), replace: `$1${REDACTED}`},
  // Flags followed by their value: --password hunter2, --token=abc (not --password-stdin, --secret id=…).
  {
    name: 'secret flag',
    pattern: /(?<![\w-])(--?[A-Za-z0-9-]*(?:password|passwd|pass|token|secret|api-key|apikey|access-key|secret-key)(?:=|\s+))(?!-|id=|src=|source=|env=)("[^"\n\\]*"|'[^'\n]*'|[^\s"'\\]+)/gi,
    replace: `$1${REDACTED}`,
  },
  // `-p VALUE` is a password only in a login (`docker login -u admin -p PASSWORD host`), never `docker run -p 8080:80` or `mkdir -p`.
  {name: 'login -p', pattern: /(\blogin\b(?:[ \t]+(?!-p\b)\S+)*?[ \t]+-p(?:[ \t]+|=))(?!-)("[^"\n\\]*"|'[^'\n]*'|[^\s"'\\]+)/g, replace: `$1${REDACTED}`},
  // Assignments: DAGGER_CLOUD_TOKEN=…, export GITHUB_TOKEN="…", AWS_SECRET_ACCESS_KEY=…; `password: x` in YAML.
  {
    name: 'assignment',
    pattern: new RegExp(String.raw`(?<![./:@\w-])(${SECRET_NAME})(\s*=\s*)("[^"\n\\]*"|'[^'\n]*'|${UNQUOTED})`, 'gi'),
    replace: (m: string, name: string, sep: string, value: string) => (value.includes(REDACTED) || /^["']?\$/.test(value) ? m : `${name}${sep}${REDACTED}`),
  },
  {
    name: 'colon assignment',
    pattern: new RegExp(String.raw`(?<![./:@\w-])(${SECRET_NAME})(:[ \t]+)("[^"\n\\]+"|'[^'\n]+'|${SECRETISH})`, 'gi'),
    replace: (m: string, name: string, sep: string, value: string) => (value.includes(REDACTED) ? m : `${name}${sep}${REDACTED}`),
  },
]

/**
Everything a rule acts on contains one of these. Most build output has none, and testing for them is
far cheaper than running every rule over every block.
*/
const MAY_HOLD_SECRET =
  /PRIVATE KEY|pass|token|secret|key|credential|auth|bearer|basic|eyJ|dag_|gh[pousr]_|github_pat_|dckr_|gl[a-z]{1,3}-|xox|xapp-|npm_|pypi-|AIza|ya29\.|_live_|sig=|signature|code=|login|@/i
const AWS_KEY_ID = /A[A-Z]{3}[A-Z0-9]{16}/

/** False when no rule of the table could change `text`. */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text) || AWS_KEY_ID.test(text)
}
