import {createServer, connect, type Socket} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LayerFailure} from '../../src/core/registry/categories.js'
import {handshake, openTcp, tunnelThroughProxy} from '../../src/core/registry/connect.js'
import {bypassesProxy, proxyFor} from '../../src/core/registry/proxy.js'
import {loadTrust} from '../../src/core/registry/trust.js'
import {startFronts, type Fronts} from './fronts.js'

describe('proxy choice follows Go httpproxy', () => {
  const env = {HTTPS_PROXY: 'http://proxy.corp.invalid:3128', NO_PROXY: 'gcr.io,.internal.invalid,10.0.0.0/8,registry.invalid:5000'}
  it.each([
    ['registry-1.docker.io', 443, true],
    ['gcr.io', 443, false],
    ['eu.gcr.io', 443, false],
    ['internal.invalid', 443, true],
    ['a.internal.invalid', 443, false],
    ['10.1.2.3', 443, false],
    ['registry.invalid', 5000, false],
    ['registry.invalid', 443, true],
    ['127.0.0.1', 5443, false],
    ['localhost', 5000, false],
  ])('%s:%d proxied: %s', (host, port, proxied) => {
    expect(proxyFor(host, port, env) !== undefined).toBe(proxied)
  })

  it('prefers the upper-case variable, as Go does, and honours *', () => {
    expect(proxyFor('gcr.io', 443, {HTTPS_PROXY: 'http://upper.invalid:1', https_proxy: 'http://lower.invalid:1'})?.display).toBe('http://upper.invalid:1')
    expect(bypassesProxy('anything.invalid', 443, '*')).toBe(true)
    expect(proxyFor('gcr.io', 443, {})).toBeUndefined()
  })

  it('hides proxy credentials from what it shows', () => {
    expect(proxyFor('gcr.io', 443, {HTTPS_PROXY: 'http://user:secret@proxy.invalid:3128'})?.display).toBe('http://proxy.invalid:3128')
  })
})

describe('the CONNECT tunnel layer', () => {
  let fronts: Fronts
  let proxyPort = 0
  let deniedPort = 0
  const servers: ReturnType<typeof createServer>[] = []
  const sockets = new Set<Socket>()

  beforeAll(async () => {
    fronts = await startFronts()
    // A tiny CONNECT proxy that only tunnels to loopback, and one that always wants credentials.
    const proxy = createServer((client) => {
      sockets.add(client)
      client.on('error', () => undefined)
      client.once('data', (chunk) => {
        const m = /^CONNECT 127\.0\.0\.1:(\d+) HTTP\/1\.1/.exec(chunk.toString('latin1'))
        if (!m) return void client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
        const upstream = connect({host: '127.0.0.1', port: Number(m[1])}, () => {
          client.write('HTTP/1.1 200 Connection established\r\n\r\n')
          client.pipe(upstream).pipe(client)
        })
        sockets.add(upstream)
        upstream.on('error', () => client.destroy())
      })
    })
    const denied = createServer((client) => {
      sockets.add(client)
      client.on('error', () => undefined)
      client.once('data', () => client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n'))
    })
    servers.push(proxy, denied)
    proxyPort = await new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as {port: number}).port)))
    deniedPort = await new Promise((resolve) => denied.listen(0, '127.0.0.1', () => resolve((denied.address() as {port: number}).port)))
  })

  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    await fronts?.close()
  })

  it('opens a tunnel and runs TLS through it', async () => {
    const socket = await openTcp({address: '127.0.0.1', family: 4}, proxyPort, 2000)
    await tunnelThroughProxy(socket, {display: 'proxy', url: new URL(`http://127.0.0.1:${proxyPort}`)}, fronts.healthy, 2000)
    const trust = await loadTrust(fronts.healthy, {env: {}, certsDirs: [], extraCa: [fronts.certs.ca]})
    const {socket: tls, info} = await handshake(socket, '127.0.0.1', trust, 2000)
    expect(info.problem).toBeUndefined()
    tls.destroy()
  })

  it('names a 407 as a proxy failure', async () => {
    const socket = await openTcp({address: '127.0.0.1', family: 4}, deniedPort, 2000)
    const attempt = tunnelThroughProxy(socket, {display: 'proxy', url: new URL(`http://127.0.0.1:${deniedPort}`)}, fronts.healthy, 2000)
    await expect(attempt).rejects.toBeInstanceOf(LayerFailure)
    await expect(tunnelThroughProxy(await openTcp({address: '127.0.0.1', family: 4}, deniedPort, 2000), {display: 'proxy', url: new URL(`http://127.0.0.1:${deniedPort}`)}, fronts.healthy, 2000)).rejects.toMatchObject({category: 'proxy', message: expect.stringMatching(/407/)})
  })
})
