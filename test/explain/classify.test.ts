import {describe, expect, it} from 'vitest'
import type {ExplainCategory} from '../../src/core/explain/categories.js'
import {classifyStatement} from '../../src/core/explain/classify.js'

interface Case {
  readonly text: string
  readonly category: ExplainCategory
  readonly op?: string
  readonly host?: string | null
  readonly ref?: string | null
  readonly url?: string | null
}

// Messages as dockerd, containerd, buildkit, dagger and the docker CLI print them (one statement each).
const CASES: readonly Case[] = [
  // The three from the field report.
  {
    text: '21: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF',
    category: 'eof',
    op: 'manifest HEAD',
    host: 'registry-1.docker.io',
    ref: 'docker.io/library/golang:1.21.3-alpine3.18',
    url: 'https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18',
  },
  {
    text: 'Error response from daemon: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": Get "https://auth.docker.io/token?account=cirocosta&scope=repository%3Alibrary%2Fgolang%3Apull&service=registry.docker.io": EOF',
    category: 'eof',
    op: 'token GET',
    host: 'auth.docker.io',
    ref: 'docker.io/library/golang:1.21.3-alpine3.18',
  },
  {
    text: 'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://registry-1.docker.io/v2/tonistiigi/xx/blobs/sha256:1b0dfc2f3a464bee155c6e863e879c5b6024610a49654d225ea46127e48ed7a7": EOF',
    category: 'eof',
    op: 'blob GET',
    host: 'registry-1.docker.io',
    ref: 'docker.io/tonistiigi/xx@sha256:1b0dfc2f3a464bee155c6e863e879c5b6024610a49654d225ea46127e48ed7a7',
  },
  // A digest cut short (as people paste it) still names the repository.
  {text: 'Get "https://registry-1.docker.io/v2/tonistiigi/xx/blobs/sha256:1b0df...": EOF', category: 'eof', op: 'blob GET', ref: 'docker.io/tonistiigi/xx'},
  // Auth token alone, and the classic ping.
  {
    text: 'Get "https://auth.docker.io/token?scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io": EOF',
    category: 'eof',
    op: 'token GET',
    host: 'auth.docker.io',
    ref: 'docker.io/library/alpine',
  },
  {text: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": EOF', category: 'eof', op: 'ping GET', host: 'registry-1.docker.io', ref: null},
  {text: 'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/1b/1b0dfc2f3a464bee155c6e863e879c5b6024610a49654d225ea46127e48ed7a7/data?verify=1700000000-abc": unexpected EOF', category: 'eof', op: 'blob GET', host: 'production.cloudflare.docker.com'},
  // DNS.
  {text: 'dial tcp: lookup registry-1.docker.io: no such host', category: 'dns', op: 'DNS lookup', host: 'registry-1.docker.io', url: null},
  {
    text: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host',
    category: 'dns',
    op: 'ping GET',
    host: 'registry-1.docker.io',
  },
  {text: 'Get "https://gcr.io/v2/": dial tcp: lookup gcr.io on 192.168.65.1:53: read udp 192.168.65.3:41000->192.168.65.1:53: i/o timeout', category: 'dns', host: 'gcr.io'},
  {text: 'dial tcp: lookup registry-1.docker.io on [::1]:53: server misbehaving', category: 'dns', host: 'registry-1.docker.io'},
  {text: 'getaddrinfo ENOTFOUND registry.invalid', category: 'dns'},
  // TCP.
  {text: 'connect: connection refused', category: 'tcp_refused', op: 'dial'},
  {
    text: 'Error response from daemon: Get "https://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused',
    category: 'tcp_refused',
    op: 'ping GET',
    host: '127.0.0.1:5000',
  },
  {text: 'dial tcp 127.0.0.1:5999: connect: connection refused', category: 'tcp_refused', op: 'dial', host: '127.0.0.1:5999'},
  {text: 'dial tcp 104.18.121.25:443: i/o timeout', category: 'tcp_timeout', op: 'dial', host: '104.18.121.25:443'},
  {text: 'i/o timeout', category: 'tcp_timeout'},
  {text: 'dial tcp [2600:1f18:2148:bc02:22:27bd:19a4:87d4]:443: connect: connection timed out', category: 'tcp_timeout', host: '[2600:1f18:2148:bc02:22:27bd:19a4:87d4]:443'},
  {text: 'read tcp 172.17.0.2:41234->104.18.121.25:443: read: connection reset by peer', category: 'reset', op: 'read', host: '104.18.121.25:443'},
  {
    text: 'failed to do request: Head "https://registry-1.docker.io/v2/library/alpine/manifests/3.18": read tcp 10.0.0.2:5555->3.216.34.172:443: read: connection reset by peer',
    category: 'reset',
    op: 'manifest HEAD',
    host: 'registry-1.docker.io',
    ref: 'docker.io/library/alpine:3.18',
  },
  {text: 'write tcp 10.0.0.2:5555->3.216.34.172:443: write: broken pipe', category: 'reset'},
  {text: 'http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR', category: 'reset'},
  {
    text: 'Get "https://registry-1.docker.io/v2/": dial tcp [2600:1f18:2148:bc02:22:27bd:19a4:87d4]:443: connect: network is unreachable',
    category: 'net_unreachable',
    op: 'ping GET',
  },
  {text: 'dial tcp 10.9.9.9:443: connect: no route to host', category: 'net_unreachable', host: '10.9.9.9:443'},
  {text: 'Error: connect EHOSTUNREACH 10.9.9.9:443', category: 'net_unreachable'},
  {text: 'Error: connect ENETUNREACH 2001:db8::1:443', category: 'net_unreachable'},
  {text: 'dial tcp 10.9.9.9:443: connect: connection refused', category: 'tcp_refused', host: '10.9.9.9:443'},
  {text: 'Error: Client network socket disconnected before secure TLS connection was established', category: 'eof'},
  {text: 'Error: socket hang up', category: 'eof'},
  // TLS.
  {text: 'Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout', category: 'tls_handshake_timeout', op: 'ping GET', host: 'registry-1.docker.io'},
  {text: 'net/http: TLS handshake timeout', category: 'tls_handshake_timeout', op: 'TLS handshake'},
  {
    text: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    category: 'x509',
    op: 'ping GET',
    host: 'registry-1.docker.io',
  },
  {text: 'x509: certificate signed by unknown authority', category: 'x509', op: 'TLS handshake'},
  {text: 'x509: certificate has expired or is not yet valid: current time 2026-11-23T10:00:00Z is after 2025-01-01T00:00:00Z', category: 'x509'},
  {text: 'x509: certificate is valid for FG3K6C3A15800021, not registry-1.docker.io', category: 'x509'},
  // HTTP statuses.
  {
    text: 'Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
    category: 'rate_limit',
    url: null,
  },
  {
    text: 'failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/golang/manifests/sha256:96a8a701943e7eabd81ebd0963540ad660e29c3b2dc7fb9d7e06af34409e9ba6: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.',
    category: 'rate_limit',
    op: 'manifest GET',
    ref: 'docker.io/library/golang@sha256:96a8a701943e7eabd81ebd0963540ad660e29c3b2dc7fb9d7e06af34409e9ba6',
  },
  {
    text: 'Error response from daemon: Head "https://registry-1.docker.io/v2/library/private/manifests/latest": unauthorized: incorrect username or password',
    category: 'http_401',
    op: 'manifest HEAD',
    ref: 'docker.io/library/private:latest',
  },
  {text: 'failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized', category: 'http_401'},
  {
    text: "Error response from daemon: pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    category: 'http_401',
    ref: 'docker.io/library/nosuchimage',
  },
  {text: 'failed to fetch oauth token: unexpected status: 403 Forbidden', category: 'http_403'},
  {text: 'Error response from daemon: Head "https://ghcr.io/v2/acme/tool/manifests/1.0": denied: denied', category: 'http_403', host: 'ghcr.io', ref: 'ghcr.io/acme/tool:1.0'},
  {
    text: 'Error response from daemon: manifest for golang:1.99 not found: manifest unknown: manifest unknown',
    category: 'http_404',
    ref: 'docker.io/library/golang:1.99',
  },
  {
    text: 'ERROR: failed to solve: golang:1.99: failed to resolve source metadata for docker.io/library/golang:1.99: docker.io/library/golang:1.99: not found',
    category: 'http_404',
    ref: 'docker.io/library/golang:1.99',
  },
  {text: 'no matching manifest for linux/arm64/v8 in the manifest list entries', category: 'platform'},
  {
    text: 'unexpected status from HEAD request to https://registry-1.docker.io/v2/library/alpine/manifests/3.18: 503 Service Unavailable',
    category: 'http_5xx',
    op: 'manifest HEAD',
    ref: 'docker.io/library/alpine:3.18',
  },
  {text: 'Error response from daemon: received unexpected HTTP status: 500 Internal Server Error', category: 'http_5xx'},
  {text: 'failed to do request: Get "https://registry.example.test/v2/": 502 Bad Gateway', category: 'http_5xx', op: 'ping GET'},
  // Proxies.
  {
    text: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused',
    category: 'proxy',
    op: 'ping GET',
    host: '10.0.0.1:3128',
  },
  {text: 'proxyconnect tcp: tls: first record does not look like a TLS handshake', category: 'proxy', op: 'proxy connect'},
  {text: 'Get "https://registry-1.docker.io/v2/": Proxy Authentication Required', category: 'proxy'},
  // Something that is not a registry answered.
  {text: 'failed to resolve source metadata for 127.0.0.1:5000/app:1: invalid character \'<\' looking for beginning of value', category: 'not_a_registry', ref: '127.0.0.1:5000/app:1'},
  {text: 'error unmarshalling content: <html><head><title>Portal login</title></head></html>', category: 'not_a_registry'},
  {text: 'Error response from daemon: Get "https://registry.corp.test/v2/": http: server gave HTTP response to HTTPS client', category: 'not_a_registry', host: 'registry.corp.test'},
  // Client timeouts.
  {
    text: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    category: 'client_timeout',
    op: 'ping GET',
  },
  {
    text: 'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    category: 'client_timeout',
  },
  {text: 'read tcp 10.0.0.2:5555->3.216.34.172:443: read: i/o timeout', category: 'client_timeout'},
  // Engine side.
  {
    text: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    category: 'docker_unavailable',
    op: 'docker socket',
    host: 'unix:///var/run/docker.sock',
  },
  {
    text: 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/version": dial unix /var/run/docker.sock: connect: permission denied',
    category: 'docker_unavailable',
    url: null,
  },
  {text: 'Cannot connect to the Docker daemon at tcp://127.0.0.1:2375. Is the docker daemon running?', category: 'docker_unavailable', host: 'tcp://127.0.0.1:2375'},
  {text: 'Error: failed to connect to engine: dial unix /run/buildkit/buildkitd.sock: connect: no such file or directory', category: 'engine_unreachable', op: 'engine connect'},
  {text: 'Error response from daemon: No such container: dagger-engine.dev', category: 'engine_unreachable'},
  {text: 'Error: failed to start engine: docker run --name dagger-engine-7b45c2238c1141a1 exited with status 125', category: 'engine_start', op: 'engine start'},
  {text: 'docker: Error response from daemon: Conflict. The container name "/dagger-engine.dev" is already in use by container "cb3f00". You have to remove (or rename) that container to be able to reuse that name.', category: 'engine_start'},
  // An engine that fails because its image cannot be pulled failed at the registry.
  {
    text: 'Error: failed to connect to engine: failed to start engine: failed to do request: Head "https://registry.dagger.io/v2/engine/manifests/v0.9.3": EOF',
    category: 'eof',
    op: 'manifest HEAD',
    ref: 'registry.dagger.io/engine:v0.9.3',
  },
  // Anything else that is an error.
  {text: '12: exec go build ./cmd/engine ERROR: process "/bin/sh -c go build" did not complete successfully: exit code: 1', category: 'other', op: 'step'},
  {text: 'time="2026-11-23T10:00:00Z" level=error msg="something odd"', category: 'other'},
]

describe('classifyStatement', () => {
  it.each(CASES)('$category: $text', (c) => {
    const got = classifyStatement(c.text)
    expect(got).not.toBeNull()
    expect(got?.category).toBe(c.category)
    if (c.op !== undefined) expect(got?.op).toBe(c.op)
    if (c.host !== undefined) expect(got?.host).toBe(c.host)
    if (c.ref !== undefined) expect(got?.ref).toBe(c.ref)
    if (c.url !== undefined) expect(got?.url).toBe(c.url)
  })

  it.each([
    'go: downloading github.com/pkg/errors v0.9.1',
    'Tests: 10 passed, 0 failed',
    'sounds more like a connectivity issue (given the EOF on a simple HEAD request),',
    '151: pull docker.io/tonistiigi/xx:1.2.1 DONE',
    'initialized the cache mount',
  ])('is no failure: %s', (text) => {
    expect(classifyStatement(text)).toBeNull()
  })
})
