import {describe, expect, it} from 'vitest'
import {classifyError} from '../../src/core/registry/categories.js'

// No test here may send a packet off loopback, so "no route" is the error Node raises for it, fed to the
// classifier at each layer a redirect can reach: it is never a refusal.
describe('no route to the address is not tcp_refused', () => {
  it.each(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL'])('%s', (code) => {
    const error = Object.assign(new Error(`connect ${code} 2001:db8::1:443`), {code, syscall: 'connect'})
    for (const layer of ['tcp', 'blob', 'token', 'manifest'] as const) {
      const got = classifyError(error, layer)
      expect(got.category).toBe('net_unreachable')
      expect(got.detail).toMatch(/no route to that address/)
    }
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {code: 'ECONNREFUSED'}), 'tcp').category).toBe('tcp_refused')
  })
})
