/**
`dagger-explore diagnose REF... [--control REF] [--platform os/arch] [--attempts N] [--layer-timeout MS] [--json]`

Probes each image reference layer by layer, the way a puller reaches it, and names the first layer
that fails. Exit codes: 0 every reference passes, 1 at least one fails (or is flaky), 2 bad usage.

JSON (`--json`, stdout only; every field always present, null when it does not apply):

{
  "ok": true,                       // every reference passed
  "ms": 412,                        // wall time of the whole run
  "results": [{
    "ref": "golang:1.21.3-alpine3.18",                       // as given
    "canonical": "docker.io/library/golang:1.21.3-alpine3.18",
    "ok": true,
    "verdict": {
      "category": "ok",             // ok dns tcp_refused net_unreachable tcp_timeout reset eof tls_handshake_timeout x509
                                    // plain_http http2_only tls_alert not_http http_version headers_too_large
                                    // http_401 http_403 http_404 http_429 http_5xx proxy not_a_registry client_timeout
      "layer": null,                // dns tcp proxy tls ping token manifest platform blob (null when ok)
      "host": null,                 // host of the failing layer: registry, token realm or blob CDN
      "scope": null,                // "registry_specific" (control passes), "general" (control fails too), null
      "flaky": false,               // some attempts passed and some failed
      "successRatio": 1,            // passed attempts / attempts
      "summary": "all layers pass for docker.io/library/golang:1.21.3-alpine3.18",
      "fix": "Nothing to fix."      // plain words
    },
    "layers": [{                    // one attempt's layers (a failing one when any failed), in order
      "name": "tls", "host": "registry-1.docker.io", "address": "203.0.113.7", "family": 4,
      "status": "ok",               // ok fail skipped
      "ms": 38, "category": "ok", "detail": "TLSv1.3, certificate for … issued by …"
    }],
    "families": [{"family": 4, "address": "203.0.113.7", "ok": true, "category": "ok", "layer": null}],
    "attempts": [{"ok": true, "category": "ok", "layer": null, "host": null, "ms": 230}],
    "rateLimit": {"limit": "100;w=21600", "remaining": "98;w=21600", "source": "198.51.100.4"},  // or null
    "redirects": [{"status": 307, "fromHost": "registry-1.docker.io", "toHost": "production.cloudflare.docker.com"}],
    "digest": "sha256:…",           // from the manifest HEAD, or null
    "auth": "anonymous token",      // how the probe authenticated; never a credential
    "notes": [],                    // e.g. an IPv6 path failing while IPv4 works
    "ms": 240,
    "control": null                 // the control's summary when this reference failed, as below
  }],
  "control": {"ref": "gcr.io/distroless/static-debian12", "ok": true, "category": "ok", "layer": null,
              "host": null, "layers": [ … ]}   // null with --control none
}
*/
import {DEFAULT_CONTROL, diagnose, type DiagnoseReport, type Diagnosis} from '../../core/registry/diagnose.js'
import {formatPlatform, hostPlatform, parsePlatform, PlatformError, type Platform} from '../../core/registry/manifest.js'
import {DEFAULT_TIMEOUT_MS} from '../../core/registry/prober.js'
import {ImageReferenceError, parseReference} from '../../core/registry/reference.js'
import {sanitize, sanitizeDeep} from '../../core/notebook/sanitize.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from '../io.js'
import {commandTimeoutMs, parseCommandArgs} from '../settings.js'
import {layerStatus, STATUS_GLYPH} from '../../core/present/status.js'

const HELP = `Usage: dagger-explore diagnose REF... [--control REF] [--platform os/arch] [--attempts N] [--layer-timeout MS] [--json]

Probes each image reference layer by layer, the way docker reaches it, per address family (IPv4 and
IPv6 apart): DNS -> TCP -> TLS (certificate, issuer, expiry) -> GET /v2/ -> token from the realm
(anonymous, or with your docker credentials, which are never shown) -> HEAD manifest -> the
platform's manifest -> a small ranged GET of one layer, following redirects to the CDN host. It
names the first layer that fails with a category (eof, reset, x509, http_429...) and says what to do.
A control registry tells a problem with one registry from a general one.

  REF                 image reference(s): golang:1.21.3-alpine3.18, gcr.io/distroless/static-debian12,
                      localhost:5000/app@sha256:...
  --control REF       control registry image (default ${DEFAULT_CONTROL}); "none" for no control
  --platform os/arch  platform to pick from an index (default: this machine's, ${formatPlatform(hostPlatform())})
  --attempts N        run N probes of each reference at once, as a puller does (default 1, at most 16);
                      a mix of passes and failures is reported as flaky
  --layer-timeout MS  time allowed per layer in milliseconds (default ${DEFAULT_TIMEOUT_MS}); --timeout, the
                      Docker wait everywhere else, is read as this here (diagnose makes no Docker call)
  --json              JSON on stdout only (shape documented in the README)
  -h, --help          this help

Honours HTTPS_PROXY / NO_PROXY, NODE_EXTRA_CA_CERTS and the docker certs.d folders
(/etc/docker/certs.d/<host:port>/ca.crt). A manifest GET counts as a pull on Docker Hub; the probe
skips it when fewer than 5 pulls are left.

Exit codes: 0 every reference passes, 1 at least one fails or is flaky, 2 bad usage.

Examples
  dagger-explore diagnose golang:1.21.3-alpine3.18
  dagger-explore diagnose alpine:3.18 tonistiigi/xx:1.2.1 --attempts 8
  dagger-explore diagnose 127.0.0.1:5443/lab/busybox --control none --json
`

// --control, --timeout and --json are global options (cli/settings.ts). --timeout is the Docker wait in every
// other command; diagnose makes no Docker call, so its own wait, per layer, has its own name.
const OPTIONS = {
  'layer-timeout': {type: 'string'},
  platform: {type: 'string'},
  attempts: {type: 'string'},
} as const

const MAX_ATTEMPTS = 16

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`)
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number, max: number, example: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} takes a whole number between ${min} and ${max}; "${sanitize(value)}" is not one.`, {fix: `Pass one in that range, e.g. ${flag} ${example}.`})
  }
  return n
}


function printDiagnosis(io: CliIO, d: Diagnosis): void {
  write(io.stdout, `${d.canonical}${d.canonical !== d.ref ? `  (${d.ref})` : ''}`)
  const nameWidth = Math.max(...d.layers.map((l) => l.name.length), 4)
  const hostWidth = Math.min(Math.max(...d.layers.map((l) => l.host.length), 4), 40)
  for (const l of d.layers) {
    const where = l.address && l.address !== l.host ? ` [${l.address}]` : ''
    const status = l.status === 'fail' ? `${l.category}: ` : ''
    write(io.stdout, `  ${STATUS_GLYPH[layerStatus(l.status)]} ${l.name.padEnd(nameWidth)}  ${l.host.padEnd(hostWidth)}${where} ${String(l.ms).padStart(5)} ms  ${status}${l.detail}`)
  }
  const v = d.verdict
  if (d.attempts.length > 1) write(io.stdout, `  Attempts: ${d.attempts.filter((a) => a.ok).length} of ${d.attempts.length} passed${v.flaky ? ' (flaky)' : ''}`)
  for (const note of d.notes) write(io.stdout, `  Note: ${note}`)
  if (d.ok) {
    write(io.stdout, `  Verdict: ok${d.rateLimit?.remaining ? ` (pulls left in the rate-limit window: ${d.rateLimit.remaining.split(';')[0]})` : ''}`)
  } else {
    const scope = v.scope === 'registry_specific' ? ', control passes: registry_specific' : v.scope === 'general' ? ', control fails too: general' : ''
    write(io.stdout, `  Verdict: ${v.summary}${scope}`)
    write(io.stdout, `  Fix: ${v.fix}`)
  }
}

function printReport(io: CliIO, report: DiagnoseReport): void {
  report.results.forEach((d, i) => {
    if (i > 0) write(io.stdout, '')
    printDiagnosis(io, d)
  })
  if (report.control) {
    const c = report.control
    write(io.stdout, '')
    write(io.stdout, `Control ${c.ref}: ${c.ok ? 'ok' : `${c.category} at ${c.layer ?? '?'} on ${c.host ?? '?'}`}`)
  }
  const failed = report.results.filter((r) => !r.ok).length
  write(io.stdout, '')
  write(io.stdout, failed === 0 ? `All ${report.results.length} reference(s) pass (${report.ms} ms).` : `${failed} of ${report.results.length} reference(s) fail (${report.ms} ms).`)
}

export const main: CommandMain = async (argv, io, before) => {
  const {values, positionals, settings} = parseCommandArgs(argv, OPTIONS, before, io)
  if (values.help) {
    write(io.stdout, HELP)
    return EXIT.ok
  }
  if (positionals.length === 0) {
    throw new UsageError('diagnose needs at least one image reference; none was given.', {fix: 'Name one, e.g. `dagger-explore diagnose golang:1.21.3-alpine3.18`; `dagger-explore diagnose --help` lists the options.'})
  }
  const layerRange = {fallback: DEFAULT_TIMEOUT_MS, min: 100, max: 120_000}
  const timeoutMs = commandTimeoutMs(settings, layerRange, {flag: '--layer-timeout', value: values['layer-timeout']})
  if (values['layer-timeout'] === undefined && settings.timeoutMs !== undefined) {
    write(io.stderr, `dagger-explore: diagnose takes --timeout ${settings.timeoutMs} as --layer-timeout ${timeoutMs}, the wait per layer (it makes no Docker call).`)
  }
  const attempts = wholeNumber('--attempts', values.attempts, 1, 1, MAX_ATTEMPTS, '8')
  let platform: Platform
  let control: string | null
  try {
    platform = values.platform === undefined ? hostPlatform() : parsePlatform(values.platform)
    for (const ref of positionals) parseReference(ref)
    control = settings.control === undefined ? DEFAULT_CONTROL : settings.control.trim().toLowerCase() === 'none' ? null : settings.control
    if (control !== null) parseReference(control)
  } catch (error) {
    if (error instanceof ImageReferenceError || error instanceof PlatformError) throw new UsageError(sanitize(error.message), {fix: error.fix && sanitize(error.fix), cause: error})
    throw error
  }
  const report = await diagnose(positionals, {env: io.env, timeoutMs, platform, attempts, control})
  if (settings.json) write(io.stdout, JSON.stringify(sanitizeDeep(report), null, 2))
  // The text goes through the clean writer (cli/clean-writer.ts); JSON values are cleaned for `jq -r`.
  else printReport(io, report)
  return report.ok ? EXIT.ok : EXIT.problem
}
