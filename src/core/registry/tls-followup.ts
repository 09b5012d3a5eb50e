/**
Second looks after a failed TLS handshake, so the verdict names what the server is rather than
what it is not: a port that answers a plain HTTP request is a plain-HTTP server on a TLS port, and
a server that refused ALPN http/1.1 but agrees to h2 speaks TLS and only HTTP/2. Each look is one
bounded connection to the same address; what it saw is quoted in the detail.
*/
import {connect as netConnect} from 'node:net'
import {connect as tlsConnect} from 'node:tls'
import {LayerFailure} from './categories.js'
import type {Address} from './connect.js'
import {visibleControls} from './reference.js'

function codeOf(error: unknown): string {
  const code = (error as {code?: unknown} | null)?.code
  return typeof code === 'string' ? code : ''
}

/** The first line a plain `GET /v2/` gets back, when it starts like HTTP; undefined otherwise. */
export function plainHttpStatusLine(address: Address, port: number, host: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let got = ''
    const socket = netConnect({host: address.address, port, family: address.family, autoSelectFamily: false})
    const done = (value: string | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(value)
    }
    const timer = setTimeout(() => done(undefined), timeoutMs)
    socket.on('error', () => done(undefined))
    socket.on('connect', () => socket.write(`GET /v2/ HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`))
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1')
      const line = got.split('\r\n')[0] ?? ''
      if (got.includes('\r\n') || got.length > 256) done(/^HTTP\/\d(?:\.\d)? \d{3}/.test(line) ? visibleControls(line.slice(0, 80)) : undefined)
    })
    socket.on('end', () => done(undefined))
  })
}

/** True when a TLS handshake offering only ALPN h2 succeeds and h2 is chosen. */
export function agreesToH2(address: Address, port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Only the protocol choice is looked at here; the certificate was judged (or failed) on its own layer.
    const socket = tlsConnect({host: address.address, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, ALPNProtocols: ['h2'], rejectUnauthorized: false})
    const done = (value: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(value)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.on('error', () => done(false))
    socket.on('secureConnect', () => done(socket.alpnProtocol === 'h2'))
  })
}

/**
Runs the second look a handshake error calls for and returns the sharper failure, or the error
itself when the look saw nothing more.
*/
export async function explainTlsFailure(error: unknown, address: Address, port: number, host: string, timeoutMs: number): Promise<unknown> {
  const code = codeOf(error)
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_HTTP_REQUEST') {
    const line = await plainHttpStatusLine(address, port, host, timeoutMs)
    if (line) return new LayerFailure('plain_http', `${host}:${port} answered plain HTTP on a TLS port: the TLS ClientHello got bytes that are no TLS record, and a plain GET /v2/ got "${line}"`)
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' && (await agreesToH2(address, port, host, timeoutMs))) {
    return new LayerFailure('http2_only', `${host}:${port} speaks TLS but refused ALPN http/1.1 with the alert no_application_protocol, and a second handshake offering ALPN h2 was accepted: it serves HTTP/2 only`)
  }
  return error
}
