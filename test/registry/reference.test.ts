import {describe, expect, it} from 'vitest'
import {parseChallenge} from '../../src/core/registry/challenge.js'
import {parsePlatform, selectPlatform} from '../../src/core/registry/manifest.js'
import {parseReference, ImageReferenceError} from '../../src/core/registry/reference.js'

describe('parseReference normalises like docker', () => {
  it.each([
    ['golang:1.21.3-alpine3.18', 'docker.io/library/golang:1.21.3-alpine3.18', 'registry-1.docker.io', 443, 'library/golang', '1.21.3-alpine3.18'],
    ['alpine', 'docker.io/library/alpine:latest', 'registry-1.docker.io', 443, 'library/alpine', 'latest'],
    ['tonistiigi/xx:1.2.1', 'docker.io/tonistiigi/xx:1.2.1', 'registry-1.docker.io', 443, 'tonistiigi/xx', '1.2.1'],
    ['docker.io/library/alpine:3.18', 'docker.io/library/alpine:3.18', 'registry-1.docker.io', 443, 'library/alpine', '3.18'],
    ['index.docker.io/library/alpine:3.18', 'docker.io/library/alpine:3.18', 'registry-1.docker.io', 443, 'library/alpine', '3.18'],
    ['docker.io/alpine', 'docker.io/library/alpine:latest', 'registry-1.docker.io', 443, 'library/alpine', 'latest'],
    ['gcr.io/distroless/static-debian12', 'gcr.io/distroless/static-debian12:latest', 'gcr.io', 443, 'distroless/static-debian12', 'latest'],
    ['registry.dagger.io/engine:v0.9.2', 'registry.dagger.io/engine:v0.9.2', 'registry.dagger.io', 443, 'engine', 'v0.9.2'],
    ['localhost/dagger-engine.dev', 'localhost/dagger-engine.dev:latest', 'localhost', 443, 'dagger-engine.dev', 'latest'],
    ['localhost:5000/app:1', 'localhost:5000/app:1', 'localhost', 5000, 'app', '1'],
    ['127.0.0.1:5443/lab/busybox', '127.0.0.1:5443/lab/busybox:latest', '127.0.0.1', 5443, 'lab/busybox', 'latest'],
    ['[::1]:5000/app:2', '[::1]:5000/app:2', '::1', 5000, 'app', '2'],
  ])('%s', (input, canonical, host, port, repository, tag) => {
    const ref = parseReference(input)
    expect(ref).toMatchObject({canonical, host, port, repository, tag})
  })

  it('keeps a digest and asks for it rather than the tag', () => {
    const digest = `sha256:${'e0'.repeat(32)}`
    const ref = parseReference(`tonistiigi/binfmt:latest@${digest}`)
    expect(ref).toMatchObject({canonical: `docker.io/tonistiigi/binfmt:latest@${digest}`, tag: 'latest', digest, reference: digest})
    expect(parseReference(`tonistiigi/binfmt@${digest}`).tag).toBeUndefined()
  })

  it('treats a lowercase first component without a dot or port as a Docker Hub user', () => {
    expect(parseReference('myuser/app').domain).toBe('docker.io')
    expect(parseReference('my.registry/app').domain).toBe('my.registry')
  })

  it.each([
    ['', /empty/],
    ['Golang:1.21', /lowercase/],
    ['alpine:bad tag', /whitespace/],
    ['https://gcr.io/x', /URL/],
    ['alpine@sha256:abc', /digest/],
    ['localhost:99999/app', /port/],
    ['alpine:-x', /tag/],
  ])('refuses %j with a readable message', (input, message) => {
    expect(() => parseReference(input)).toThrow(ImageReferenceError)
    expect(() => parseReference(input)).toThrow(message)
  })
})

describe('WWW-Authenticate and platforms', () => {
  it('parses a Docker Hub challenge', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/golang:pull"')).toEqual({
      scheme: 'bearer',
      params: {realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/golang:pull'},
    })
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({scheme: 'basic', params: {realm: 'Registry Realm'}})
    expect(parseChallenge(undefined)).toBeUndefined()
  })

  it('picks a platform as containerd does and refuses nonsense', () => {
    const children = [
      {digest: 'sha256:a', platform: {os: 'linux', architecture: 'amd64'}},
      {digest: 'sha256:b', platform: {os: 'linux', architecture: 'arm64', variant: 'v8'}},
      {digest: 'sha256:c', platform: {os: 'linux', architecture: 'arm', variant: 'v7'}},
    ]
    expect(selectPlatform(children, parsePlatform('linux/amd64'))?.digest).toBe('sha256:a')
    expect(selectPlatform(children, parsePlatform('linux/arm64'))?.digest).toBe('sha256:b')
    expect(selectPlatform(children, parsePlatform('linux/arm/v7'))?.digest).toBe('sha256:c')
    expect(selectPlatform(children, parsePlatform('linux/s390x'))).toBeUndefined()
    expect(() => parsePlatform('amd64')).toThrow(/os\/arch/)
  })
})
