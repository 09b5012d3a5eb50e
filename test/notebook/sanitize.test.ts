import {describe, expect, it} from 'vitest'
import {redact, sanitize, stripControl} from '../../src/core/notebook/sanitize.js'

describe('stripControl', () => {
  it.each([
    ['colour codes', '\u001B[31mred\u001B[0m text', 'red text'],
    ['cursor movement', 'a\u001B[2Kb\u001B[1A\u001B[10;20Hc', 'abc'],
    ['OSC title (BEL)', '\u001B]0;evil title\u0007after', 'after'],
    ['OSC 8 hyperlink (ST)', '\u001B]8;;http://x\u001B\\link\u001B]8;;\u001B\\', 'link'],
    ['OSC 52 clipboard write', 'x\u001B]52;c;ZXZpbA==\u0007y', 'xy'],
    ['8-bit CSI', 'a\u009B31mb', 'ab'],
    ['DCS string', 'a\u001BPq#0;2;0;0;0\u001B\\b', 'ab'],
    ['bell, backspace, NUL', 'a\u0007b\u0008c\u0000d', 'abcd'],
    ['carriage return progress', '10%\r50%\r100%\n', '10%\n50%\n100%\n'],
    ['CRLF', 'one\r\ntwo', 'one\ntwo'],
    ['keeps tabs and unicode', 'a\tb ✓ é', 'a\tb ✓ é'],
    ['single ESC sequences', 'a\u001Bcb\u001B(Bc', 'abc'],
  ])('%s', (_, input, expected) => {
    expect(stripControl(input)).toBe(expected)
  })
})

describe('stripControl and DCS-like strings', () => {
  it('removes a DCS, PM or APC string but keeps the plain letters P, X, ^ and _ before a later ST', () => {
    expect(stripControl('Pull Xenial ^_ done\u001B\\')).toBe('Pull Xenial ^_ done')
    expect(stripControl('a\u001BPq#0;2;0;0;0\u001B\\b')).toBe('ab')
    expect(stripControl('a\u001B_hidden\u001B\\b')).toBe('ab')
  })
})

describe('redact', () => {
  const cases: [string, string, string[]][] = [
    ['Authorization header', 'Authorization: Bearer abcdefghijklmnop', ['abcdefghijklmnop']],
    ['lowercase header in Go error', 'header authorization: Basic dXNlcjpwYXNzd29yZA==', ['dXNlcjpwYXNzd29yZA==']],
    ['Proxy-Authorization', 'Proxy-Authorization: Basic Zm9vOmJhcg==', ['Zm9vOmJhcg==']],
    ['bare Bearer', 'sent Bearer eyJhbGciOiJIUzI1NiJ9.payload', ['eyJhbGciOiJIUzI1NiJ9.payload']],
    ['JWT', 'token is eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig_-nature', ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9']],
    ['query token', 'GET https://auth.docker.io/token?service=registry.docker.io&token=s3cr3t&x=1', ['s3cr3t']],
    ['query password', 'https://h/x?password=hunter2', ['hunter2']],
    ['query access_token', 'https://h/x?access_token=abc123def', ['abc123def']],
    ['env var', 'DAGGER_CLOUD_TOKEN=dag_abcdefghijklmnopqrst', ['dag_abcdefghijklmnopqrst']],
    ['export quoted', 'export GITHUB_TOKEN="ghp_aaaaaaaaaaaaaaaaaaaaaaaa"', ['ghp_aaaaaaaaaaaaaaaaaaaaaaaa']],
    ['secret env', 'MY_SECRET=topsecretvalue', ['topsecretvalue']],
    ['password env', 'REGISTRY_PASSWORD=pa55word', ['pa55word']],
    ['docker config auths', '{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"}}}', ['dXNlcjpwYXNz']],
    ['identitytoken', '{"identitytoken": "abc.def.ghi"}', ['abc.def.ghi']],
    ['url credentials', 'https://user:hunter2@registry.example/v2/', ['hunter2']],
    ['password flag', 'docker login --password hunter2 registry', ['hunter2']],
    ['token flag with =', 'dagger --token=abcdef123', ['abcdef123']],
    ['dagger cloud token shape', 'using dag_0123456789abcdefghij', ['dag_0123456789abcdefghij']],
    ['docker PAT', 'dckr_pat_AbCdEf012345', ['dckr_pat_AbCdEf012345']],
    ['yaml password', 'password: hunter2', ['hunter2']],
  ]
  it.each(cases)('%s', (_, input, secrets) => {
    const out = redact(input)
    for (const secret of secrets) expect(out).not.toContain(secret)
    expect(out).toContain('[REDACTED]')
  })

  it.each([
    'Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF',
    'Get "https://auth.docker.io/token?account=cirocosta&scope=repository%3Alibrary%2Fgolang%3Apull&service=registry.docker.io": EOF',
    'dial tcp auth.docker.io:443: connect: connection refused',
    'the token expired, log in again',
    'export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev',
    'docker login --password-stdin',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toBe(text)
  })

  it('cannot be dodged with escape sequences inside a secret', () => {
    expect(sanitize('Authorization: Bearer abc\u001B[0mdefghijkl')).not.toContain('defghijkl')
  })
})
