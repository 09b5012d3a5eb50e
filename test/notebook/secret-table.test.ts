import {describe, expect, it} from 'vitest'
import {redact, sanitize, sanitizeDeep} from '../../src/core/notebook/sanitize.js'

// Samples built at run time so that this file itself holds no string a secret scanner would flag.
const r = (alphabet: string, n: number, seed = 7): string => {
  let out = ''
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    out += alphabet[x % alphabet.length]
  }
  return out
}
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0234567'
const B64 = `${AN}+/`
const HEX = '0123456789abcdef'
const jwt = `eyJ${r(AN, 20, 1)}.eyJ${r(AN, 30, 2)}.${r(AN, 43, 3)}`
const pemBody = `${r(B64, 64, 4)}\n${r(B64, 64, 5)}\n${r(B64, 20, 6)}==`
const azureKey = `${r(B64, 86, 8)}==`
const awsSecret = r(B64, 40, 9)

/** [name, text, secret that must vanish] */
const POSITIVE: readonly [string, string, string][] = [
  ['GitHub ghp_', `token ghp_${r(AN, 36, 10)} in use`, `ghp_${r(AN, 36, 10)}`],
  ['GitHub gho_', `gho_${r(AN, 36, 11)}`, `gho_${r(AN, 36, 11)}`],
  ['GitHub ghs_', `using ghs_${r(AN, 36, 12)}.`, `ghs_${r(AN, 36, 12)}`],
  ['GitHub ghu_', `ghu_${r(AN, 36, 13)}`, `ghu_${r(AN, 36, 13)}`],
  ['GitHub ghr_', `refresh=ghr_${r(AN, 36, 14)}`, `ghr_${r(AN, 36, 14)}`],
  ['GitHub fine-grained', `github_pat_${r(AN, 22, 15)}_${r(AN, 59, 16)}`, r(AN, 59, 16)],
  ['GitHub token in URL', `git clone https://ghp_${r(AN, 36, 17)}@github.com/o/r.git`, r(AN, 36, 17)],
  ['GitLab glpat-', `glpat-${r(AN, 20, 18)}`, r(AN, 20, 18)],
  ['GitLab deploy token', `gldt-${r(AN, 20, 19)}`, r(AN, 20, 19)],
  ['GitLab runner token', `registering with glrt-${r(AN, 20, 20)}`, r(AN, 20, 20)],
  ['Slack xoxb-', `xoxb-${r('0123456789', 12, 21)}-${r('0123456789', 13, 22)}-${r(AN, 24, 23)}`, r(AN, 24, 23)],
  ['Slack xoxp-', `xoxp-${r('0123456789', 12, 24)}-${r(AN, 24, 25)}`, r(AN, 24, 25)],
  ['Slack xoxa-', `xoxa-2-${r(AN, 30, 26)}`, r(AN, 30, 26)],
  ['Slack xoxr-', `xoxr-${r(AN, 30, 27)}`, r(AN, 30, 27)],
  ['Slack xoxs-', `xoxs-${r(AN, 30, 28)}`, r(AN, 30, 28)],
  ['Slack app token', `xapp-1-${r(AN, 30, 29)}`, r(AN, 30, 29)],
  ['npm token', `//registry.npmjs.org/:_authToken=npm_${r(AN, 36, 30)}`, r(AN, 36, 30)],
  ['npm token bare', `npm_${r(AN, 36, 31)} leaked`, r(AN, 36, 31)],
  ['PyPI token', `pypi-AgEIcHlwaS5vcmc${r(AN, 60, 32)}`, r(AN, 60, 32)],
  ['AWS AKIA', `key id AKIA${r(UP, 16, 33)}`, `AKIA${r(UP, 16, 33)}`],
  ['AWS ASIA', `ASIA${r(UP, 16, 34)}`, `ASIA${r(UP, 16, 34)}`],
  ['AWS secret env', `AWS_SECRET_ACCESS_KEY=${awsSecret}`, awsSecret],
  ['AWS credentials file', `aws_secret_access_key = ${awsSecret}`, awsSecret],
  ['AWS session token env', `AWS_SESSION_TOKEN=${r(B64, 100, 35)}`, r(B64, 100, 35)],
  ['AWS presigned URL', `https://b.s3.amazonaws.com/k?X-Amz-Signature=${r(HEX, 64, 36)}&x=1`, r(HEX, 64, 36)],
  ['GCP API key', `AIza${r(AN, 35, 37)}`, `AIza${r(AN, 35, 37)}`],
  ['GCP service account private_key', `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n${r(B64, 64, 38)}\\n-----END PRIVATE KEY-----\\n"}`, r(B64, 64, 38)],
  ['GCP private_key_id', `{"private_key_id": "${r(HEX, 40, 39)}"}`, r(HEX, 40, 39)],
  ['Google OAuth token', `ya29.${r(AN, 60, 40)}`, r(AN, 60, 40)],
  ['Azure connection string', `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${azureKey};EndpointSuffix=core.windows.net`, azureKey],
  ['Azure SAS sig=', `https://acct.blob.core.windows.net/c?sv=2021-06-08&se=2030&sig=${r(B64, 40, 41)}%3D`, r(B64, 40, 41)],
  ['Azure SharedAccessKey', `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${azureKey}`, azureKey],
  ['Docker Hub PAT', `dckr_pat_${r(AN, 27, 42)}`, r(AN, 27, 42)],
  ['Docker Hub org token', `dckr_oat_${r(AN, 27, 43)}`, r(AN, 27, 43)],
  ['Dagger Cloud token', `dag_${r(AN, 30, 44)}`, r(AN, 30, 44)],
  ['JWT', `id_token ${jwt}`, jwt.split('.')[2] ?? ''],
  ['JWT in JSON', `{"token":"${jwt}"}`, jwt],
  ['RSA private key', `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----`, pemBody.slice(0, 30)],
  ['OpenSSH private key', `x\n-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody}\n-----END OPENSSH PRIVATE KEY-----\ny`, pemBody.slice(70, 100)],
  ['EC private key', `-----BEGIN EC PRIVATE KEY-----\n${pemBody}\n-----END EC PRIVATE KEY-----`, pemBody.slice(0, 30)],
  ['PKCS8 encrypted key', `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${pemBody}\n-----END ENCRYPTED PRIVATE KEY-----`, pemBody.slice(0, 30)],
  ['PGP private key', `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${pemBody}\n-----END PGP PRIVATE KEY BLOCK-----`, pemBody.slice(0, 30)],
  ['private key cut short', `-----BEGIN OPENSSH PRIVATE KEY-----\n${pemBody}`, pemBody.slice(70, 100)],
  ['URL userinfo https', 'https://user:hunter2x@registry.example/v2/', 'hunter2x'],
  ['URL userinfo postgres', 'postgres://app:S3cr3tPw@127.0.0.1:5432/db', 'S3cr3tPw'],
  ['registry host userinfo', 'probing user:pw0rdx@127.0.0.1:5443/library/alpine', 'pw0rdx'],
  ['registry host userinfo bare', 'Registry host: admin:letmein9@127.0.0.1:5443', 'letmein9'],
  ['docker login -p', 'docker login -u admin -p PASSWORD host', 'PASSWORD'],
  ['docker login -p=', 'docker login -u admin -p=Hunter2 127.0.0.1:5443', 'Hunter2'],
  ['login -p first', 'docker login -p Zz9secretZz 127.0.0.1:5443', 'Zz9secretZz'],
  ['--password value', 'docker login --password hunter2 registry', 'hunter2'],
  ['--password=', 'skopeo copy --dest-password=Xy12ab docker://a docker://b', 'Xy12ab'],
  ['--password quoted', 'cmd --password "two words"', 'two words'],
  ['--token=', 'dagger --token=abcdef123', 'abcdef123'],
  ['--registry-password', 'buildctl --registry-password s3cret', 's3cret'],
  ['Authorization Bearer', 'Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop'],
  ['Authorization Basic', 'header authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
  ['Proxy-Authorization', 'Proxy-Authorization: Basic Zm9vOmJhcg==', 'Zm9vOmJhcg=='],
  ['Authorization in JSON', '{"Authorization":"Bearer qwertyuiop123"}', 'qwertyuiop123'],
  ['curl -H Authorization', "curl -H 'Authorization: token 0a1b2c3d4e5f'", '0a1b2c3d4e5f'],
  ['X-Registry-Auth', 'X-Registry-Auth: eyJ1c2VybmFtZSI6ImEifQ==', 'eyJ1c2VybmFtZSI6ImEifQ=='],
  ['*_TOKEN=', 'DAGGER_CLOUD_TOKEN=abcdefghijklmnopqrst', 'abcdefghijklmnopqrst'],
  ['export *_TOKEN quoted', 'export GITHUB_TOKEN="aaaaaaaaaaaaaaaaaaaaaaaa"', 'aaaaaaaaaaaaaaaaaaaaaaaa'],
  ['*_SECRET=', 'MY_SECRET=topsecretvalue', 'topsecretvalue'],
  ['*_PASSWORD=', 'REGISTRY_PASSWORD=pa55word', 'pa55word'],
  ['*_KEY=', 'STRIPE_API_KEY=abc123xyz', 'abc123xyz'],
  ['*_KEY= generic', 'DEPLOY_KEY=q1w2e3r4', 'q1w2e3r4'],
  ['--build-arg secret', '--build-arg NPM_TOKEN=zzzz1111', 'zzzz1111'],
  ['ENV in Dockerfile', 'ENV DB_PASSWORD=changeme42', 'changeme42'],
  ['yaml password', 'password: hunter2', 'hunter2'],
  ['yaml client_secret', 'client_secret: "Ab12Cd34"', 'Ab12Cd34'],
  ['docker config auths', '{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"}}}', 'dXNlcjpwYXNz'],
  ['identitytoken', '{"identitytoken": "abc.def.ghi"}', 'abc.def.ghi'],
  ['query token', 'GET https://auth.docker.io/token?service=registry.docker.io&token=s3cr3t&x=1', 's3cr3t'],
  ['query access_token', 'https://h/x?access_token=abc123def', 'abc123def'],
  ['query password', 'https://h/x?password=hunter2', 'hunter2'],
  ['Stripe live key', `sk_live_${r(AN, 24, 45)}`, r(AN, 24, 45)],
  ['refresh_token JSON', `{"refresh_token":"${r(AN, 40, 46)}"}`, r(AN, 40, 46)],
]

const NEGATIVE: readonly string[] = [
  'failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized',
  'failed to solve: failed to authorize: failed to fetch anonymous token',
  'Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF',
  'Get "https://auth.docker.io/token?account=cirocosta&scope=repository%3Alibrary%2Fgolang%3Apull&service=registry.docker.io": EOF',
  'dial tcp auth.docker.io:443: connect: connection refused',
  'the token expired, log in again',
  'error: token: expired',
  'export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev',
  'docker login --password-stdin',
  'echo "$PW" | docker login -u admin --password-stdin 127.0.0.1:5443',
  'docker run -p 8080:80 nginx',
  'docker run --rm -p 127.0.0.1:5000:5000 registry:2',
  'mkdir -p /tmp/build && cd /tmp/build',
  'ssh -p 2222 root@127.0.0.1 docker system dial-stdio',
  `docker.io/library/alpine:3.18@sha256:${'0123456789abcdef'.repeat(4)}`,
  'git@github.com:dagger/dagger.git',
  'PWD=/root',
  'unauthorized: authentication required',
  'denied: requested access to the resource is denied',
  'x509: certificate signed by unknown authority',
  'WWW-Authenticate: Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
  'Basic authentication failed for user admin',
  'authorization failed: the registry answered 403',
  'RUN --mount=type=secret,id=npmrc npm ci',
  'docker buildx build --secret id=mysecret,src=/run/secrets/x .',
  'secret scanning is disabled for this repository',
  'loading secrets from the environment',
  'KEY_FILE=/etc/ssl/key.pem',
  'max_tokens: 4096',
  'tokenizer.go:42: unexpected EOF',
  'go: downloading golang.org/x/oauth2 v0.15.0',
  'Using cache key: layers',
  'the api key must be set',
  '--token-file /run/token',
  'the AKIA prefix marks an AWS access key id',
  'npm_config_cache=/tmp/npm',
  'pypi-simple index at https://pypi.org/simple',
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----',
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----',
  'ghp_ is the prefix of GitHub personal access tokens',
  'Step 5/12 : RUN go build ./cmd/engine',
  '#12 [internal] load metadata for docker.io/library/golang:1.21',
  'registry.example.com:5000/team/app:v1.2.3',
  'http://127.0.0.1:5443/v2/_catalog',
  'GOFLAGS=-mod=vendor',
  'ENV PATH=/usr/local/go/bin:$PATH',
  'time="2024-01-01T00:00:00Z" level=info msg="loading plugin"',
  'GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}',
  'export REGISTRY_PASSWORD=$REGISTRY_PASSWORD',
  'client_secret_post is not supported by this issuer',
  'level=warning msg="auth: no credentials for 127.0.0.1:5443"',
  'tar: ./usr/lib/ssl/private: Cannot open: Permission denied',
  'run `docker login` first, then push',
  'login succeeded',
]

describe('the redaction table', () => {
  it('has at least 60 positive and 30 negative samples', () => {
    expect(POSITIVE.length).toBeGreaterThanOrEqual(60)
    expect(NEGATIVE.length).toBeGreaterThanOrEqual(30)
  })

  it.each(POSITIVE)('redacts %s', (_, text, secret) => {
    expect(secret.length).toBeGreaterThan(3)
    const out = redact(text)
    expect(out).not.toContain(secret)
    expect(out).toContain('[REDACTED]')
  })

  it.each(NEGATIVE)('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toBe(text)
  })

  it.each(POSITIVE)('keeps JSON valid when the output guard runs over a JSON-encoded %s', (_, text, secret) => {
    // Reports are redacted before they are encoded (sanitizeDeep); the guard on stdout runs over the
    // encoded text again and must never break it.
    const out = redact(JSON.stringify(sanitizeDeep({text, url: null, n: 1})))
    const back = JSON.parse(out) as {text: string; n: number}
    expect(back.n).toBe(1)
    expect(back.text).not.toContain(secret)
    expect(() => JSON.parse(redact(JSON.stringify({text})))).not.toThrow()
  })

  it('is idempotent: redacting twice changes nothing more', () => {
    for (const [, text] of POSITIVE) expect(redact(redact(text))).toBe(redact(text))
  })

  it('cannot be dodged with escape sequences inside a secret', () => {
    expect(sanitize('Authorization: Bearer abc\u001B[0mdefghijkl')).not.toContain('defghijkl')
    expect(sanitize(`glpat-\u001B[31m${r(AN, 20, 50)}`)).not.toContain(r(AN, 20, 50))
  })
})
