#!/usr/bin/env node
// TEST LAB ONLY: the token service behind the lab's token registry.
//
// The registry (distribution 2.8) answers 401 with
//   WWW-Authenticate: Bearer realm="http://127.0.0.1:5445/token",service="dagger-explore-lab",scope="..."
// and accepts a JWT signed by a key in its rootcertbundle. This server hands out
// such tokens the way Docker Hub's auth service does: GET with Basic auth (docker
// CLI/daemon), POST with grant_type=password (containerd, BuildKit), anonymous
// GET for pull-only access. up.sh runs it as a daemon, like the registries.
//
// Plain JavaScript on node: builtins only, because up.sh starts it with
// whatever Node it finds (Debian's 18 is enough) and it must outlive any clone.
//
// Access rules (documented in test/lab/README.md):
//   - known user with the right password: every action asked for, any repository;
//   - no credentials: `pull` on repositories under `public/`, nothing else;
//   - wrong credentials: 401.
import {createHash, randomBytes, sign} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {parseArgs} from 'node:util'

const {values: opts} = parseArgs({
  options: {
    port: {type: 'string', default: '5445'},
    key: {type: 'string'},
    cert: {type: 'string'},
    issuer: {type: 'string', default: 'dagger-explore-lab-issuer'},
    service: {type: 'string', default: 'dagger-explore-lab'},
    user: {type: 'string', multiple: true, default: []},
    'ttl-seconds': {type: 'string', default: '300'},
  },
  strict: true,
})

if (!opts.key || !opts.cert) {
  process.stderr.write('token-issuer: --key and --cert (PEM files) are required\n')
  process.exit(2)
}

const key = readFileSync(opts.key, 'utf8')
const certPem = readFileSync(opts.cert, 'utf8')
const certDer = certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
const ttl = Number(opts['ttl-seconds'])
const users = new Map(
  opts.user.map((pair) => {
    const at = pair.indexOf(':')
    return [pair.slice(0, at), pair.slice(at + 1)]
  }),
)

const b64url = (buf) => Buffer.from(buf).toString('base64url')

/** `repository:lab/app:pull,push` -> {type, name, actions}; names may hold a host:port, so split at both ends. */
function parseScope(scope) {
  const first = scope.indexOf(':')
  const last = scope.lastIndexOf(':')
  if (first < 0 || last === first) return undefined
  return {type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean)}
}

function grant(scopes, account) {
  return scopes
    .map(parseScope)
    .filter((s) => s !== undefined)
    .map((s) => {
      if (account) return s
      const pull = s.type === 'repository' && s.name.startsWith('public/') && s.actions.includes('pull')
      return {...s, actions: pull ? ['pull'] : []}
    })
}

function mint(account, access) {
  const now = Math.floor(Date.now() / 1000)
  // x5c carries the signing certificate; the registry checks it against rootcertbundle.
  const header = {typ: 'JWT', alg: 'ES256', x5c: [certDer]}
  const claims = {iss: opts.issuer, sub: account ?? '', aud: opts.service, exp: now + ttl, nbf: now - 10, iat: now, jti: randomBytes(12).toString('hex'), access}
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const signature = sign('sha256', Buffer.from(input), {key, dsaEncoding: 'ieee-p1363'})
  return {token: `${input}.${b64url(signature)}`, issuedAt: new Date(now * 1000).toISOString()}
}

function basicAuth(header) {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '')
  if (!m) return undefined
  const text = Buffer.from(m[1], 'base64').toString('utf8')
  const at = text.indexOf(':')
  return at < 0 ? undefined : {username: text.slice(0, at), password: text.slice(at + 1)}
}

function checkUser(creds) {
  if (!creds) return {ok: true, account: undefined}
  const want = users.get(creds.username)
  // Compare digests so a wrong password takes the same time whatever its length.
  const same = want !== undefined && createHash('sha256').update(want).digest().equals(createHash('sha256').update(creds.password).digest())
  return same ? {ok: true, account: creds.username} : {ok: false}
}

function send(res, status, body) {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

function unauthorized(res) {
  send(res, 401, {errors: [{code: 'UNAUTHORIZED', message: 'incorrect username or password'}]})
}

function answer(res, account, scopes, service) {
  if (service && service !== opts.service) return send(res, 400, {errors: [{code: 'INVALID_REQUEST', message: `unknown service ${service}`}]})
  const {token, issuedAt} = mint(account, grant(scopes, account))
  send(res, 200, {token, access_token: token, expires_in: ttl, issued_at: issuedAt})
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  process.stdout.write(`${new Date().toISOString()} ${req.method} ${url.pathname} scope=${url.searchParams.getAll('scope').join(' ')}\n`)
  if (url.pathname === '/healthz') {
    res.writeHead(200, {'content-type': 'text/plain'})
    return res.end('dagger-explore-lab-token-issuer\n')
  }
  if (url.pathname !== '/token') return send(res, 404, {errors: [{code: 'NOT_FOUND', message: 'only /token lives here'}]})
  if (req.method === 'GET') {
    const who = checkUser(basicAuth(req.headers.authorization))
    if (!who.ok) return unauthorized(res)
    return answer(res, who.account, url.searchParams.getAll('scope'), url.searchParams.get('service'))
  }
  if (req.method === 'POST') {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => {
      body += chunk
      if (body.length > 65536) req.destroy()
    })
    req.on('end', () => {
      const form = new URLSearchParams(body)
      if (form.get('grant_type') !== 'password') return send(res, 400, {error: 'unsupported_grant_type'})
      const who = checkUser({username: form.get('username') ?? '', password: form.get('password') ?? ''})
      if (!who.ok) return unauthorized(res)
      answer(res, who.account, (form.get('scope') ?? '').split(' ').filter(Boolean), form.get('service'))
    })
    return
  }
  send(res, 405, {errors: [{code: 'UNSUPPORTED', message: 'GET or POST'}]})
})

server.requestTimeout = 10_000
server.listen(Number(opts.port), '127.0.0.1', () => {
  process.stdout.write(`token-issuer listening on 127.0.0.1:${opts.port}\n`)
})
