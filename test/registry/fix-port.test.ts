import {describe, expect, it} from 'vitest'
import {fixFor, namesPort, type FixContext} from '../../src/core/registry/fixes.js'

const refused = (host: string): string => {
  const ctx: FixContext = {category: 'tcp_refused', layer: 'tcp', host, registryHost: host, registryName: host, isDockerHub: false, scope: null, flaky: false, otherHost: false}
  return fixFor(ctx)
}

describe('the refused-connection fix names the port only when the host does not', () => {
  it.each([
    ['registry.example', false],
    ['registry.example:5000', true],
    ['127.0.0.1', false],
    ['127.0.0.1:5443', true],
    ['::1', false],
    ['[::1]', false],
    ['[::1]:5000', true],
    ['fe80::1:5000', false],
    ['[2001:db8::1]:443', true],
  ])('%s names a port: %s', (host, named) => {
    expect(namesPort(host)).toBe(named)
    expect(refused(host).includes('(port 443)')).toBe(!named)
  })
})
