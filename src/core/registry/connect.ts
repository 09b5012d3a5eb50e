/**
The connection layers, each on its own so a failure names the layer: name resolution (every
address), a TCP connect to one address with family autoselection off, the CONNECT tunnel when a
proxy is in the way, and a TLS handshake that inspects the certificate before judging it.
*/
import {lookup} from 'node:dns/promises'
import {connect as netConnect, isIP, type Socket} from 'node:net'
import {checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket} from 'node:tls'
import {LayerFailure} from './categories.js'
import type {ProxyChoice} from './proxy.js'
import {anchorChain, isPublicRoot, UNKNOWN_ISSUER_CODES, type TrustStore} from './trust.js'
import {withDeadline} from '../deadline.js'

export interface Address {
  readonly address: string
  readonly family: 4 | 6
}

/** Rejects with a `TimeoutError`-coded error when `promise` takes longer than `ms`; `onTimeout` cleans up. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return withDeadline(promise, ms, () => Object.assign(new Error(`${what}: no answer within ${ms} ms`), {code: 'ETIMEDOUT'}), onTimeout)
}

/** All addresses of a host, as getaddrinfo sees them (honours /etc/hosts, like dockerd's resolver mostly does). */
export async function resolveHost(host: string, timeoutMs: number): Promise<Address[]> {
  const literal = isIP(host)
  if (literal !== 0) return [{address: host, family: literal === 6 ? 6 : 4}]
  const found = await withTimeout(lookup(host, {all: true, order: 'verbatim'}), timeoutMs, `looking up ${host}`)
  const seen = new Set<string>()
  const out: Address[] = []
  for (const a of found) {
    if (seen.has(a.address)) continue
    seen.add(a.address)
    out.push({address: a.address, family: a.family === 6 ? 6 : 4})
  }
  if (out.length === 0) throw Object.assign(new Error(`${host} has no addresses`), {code: 'ENOTFOUND'})
  return out
}

/** Opens a TCP connection to one address; the timer covers the whole connect. */
export function openTcp(address: Address, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({host: address.address, port, family: address.family, autoSelectFamily: false, noDelay: true})
    const timer = setTimeout(() => {
      socket.destroy()
      reject(Object.assign(new Error(`TCP connect to ${address.address} port ${port}: no answer within ${timeoutMs} ms`), {code: 'ETIMEDOUT'}))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
  })
}

/** Asks an HTTP proxy for a tunnel to `authority` over an open socket. */
export function tunnelThroughProxy(socket: Socket, proxy: ProxyChoice, authority: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0)
    const fail = (error: Error) => {
      cleanup()
      socket.destroy()
      reject(error)
    }
    const timer = setTimeout(() => fail(new LayerFailure('proxy', `the proxy ${proxy.display} did not answer CONNECT ${authority} within ${timeoutMs} ms`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      const end = buffer.indexOf('\r\n\r\n')
      if (end === -1) {
        if (buffer.length > 16384) fail(new LayerFailure('proxy', `the proxy ${proxy.display} sent an oversized answer to CONNECT`))
        return
      }
      const statusLine = buffer.subarray(0, buffer.indexOf('\r\n')).toString('latin1')
      const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1] ?? 0)
      cleanup()
      if (status !== 200) {
        socket.destroy()
        const why = status === 407 ? 'it wants proxy credentials (407)' : status === 0 ? `it did not answer with HTTP ("${statusLine.slice(0, 60)}")` : `it answered ${status}`
        reject(new LayerFailure('proxy', `the proxy ${proxy.display} refused the tunnel to ${authority}: ${why}`))
        return
      }
      const rest = buffer.subarray(end + 4)
      if (rest.length > 0) socket.unshift(rest)
      resolve()
    }
    const onEnd = () => fail(new LayerFailure('proxy', `the proxy ${proxy.display} closed the connection during CONNECT ${authority}`))
    const onError = (error: Error) => fail(new LayerFailure('proxy', `the proxy ${proxy.display} failed during CONNECT ${authority}: ${error.message}`))
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('error', onError)
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.once('error', onError)
    const auth =
      proxy.url.username !== ''
        ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.url.username)}:${decodeURIComponent(proxy.url.password)}`).toString('base64')}\r\n`
        : ''
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`)
  })
}

export interface TlsInfo {
  readonly protocol: string
  readonly alpn: string
  readonly subject: string
  readonly issuer: string
  readonly validTo: string
  readonly daysLeft: number
  /** Subjects from the leaf up. */
  readonly chain: readonly string[]
  /** The chain ends at a root in Node's public CA list. */
  readonly publicIssuer: boolean
  /** Where the anchoring root came from when it is not a public one. */
  readonly trustedBy?: string
  /** Why the chain or name is not trusted; undefined when it is. */
  readonly problem?: string
  readonly problemCode?: string
}

function describeName(cert: PeerCertificate, field: 'subject' | 'issuer'): string {
  const name = cert[field] as unknown as Record<string, string | string[]> | undefined
  if (!name) return '(none)'
  const pick = (k: string) => {
    const v = name[k]
    return Array.isArray(v) ? v.join('+') : v
  }
  return [pick('CN') && `CN=${pick('CN')}`, pick('O') && `O=${pick('O')}`].filter(Boolean).join(', ') || '(empty)'
}

async function inspect(socket: TLSSocket, host: string, trust: TrustStore): Promise<TlsInfo> {
  const leaf = socket.getPeerCertificate(true)
  const chain: string[] = []
  const ders: Buffer[] = []
  let top: PeerCertificate | undefined
  const seen = new Set<string>()
  for (let cert: PeerCertificate | undefined = leaf; cert && cert.raw && !seen.has(cert.fingerprint256); ) {
    seen.add(cert.fingerprint256)
    chain.push(describeName(cert, 'subject'))
    ders.push(cert.raw)
    top = cert
    const next: PeerCertificate | undefined = (cert as {issuerCertificate?: PeerCertificate}).issuerCertificate
    cert = next && next !== cert ? next : undefined
  }
  let publicIssuer = top?.fingerprint256 ? isPublicRoot(top.fingerprint256) : false
  const validTo = leaf.valid_to ?? ''
  const daysLeft = validTo ? Math.floor((Date.parse(validTo) - Date.now()) / 86_400_000) : 0
  let problem: string | undefined
  let problemCode: string | undefined
  let trustedBy: string | undefined
  if (!socket.authorized) {
    problemCode = String(socket.authorizationError ?? 'UNTRUSTED')
    if (UNKNOWN_ISSUER_CODES.has(problemCode)) {
      const anchored = anchorChain(ders, await trust.anchors())
      if (anchored) {
        trustedBy = anchored.source
        problemCode = anchored.problem
      }
    }
    publicIssuer = publicIssuer && socket.authorizationError === undefined
    if (problemCode) problem = `the certificate is not trusted: ${problemCode}`
  } else if (!publicIssuer) {
    trustedBy = trust.customSources.length > 0 ? trust.customSources.join(', ') : 'a CA from NODE_EXTRA_CA_CERTS of this process'
  }
  if (trustedBy === 'a public CA') {
    trustedBy = undefined
    publicIssuer = true
  }
  if (!problem && leaf.raw) {
    const identity = checkServerIdentity(host, leaf)
    if (identity) {
      problemCode = 'ERR_TLS_CERT_ALTNAME_INVALID'
      problem = `the certificate is for ${leaf.subjectaltname ?? describeName(leaf, 'subject')}, not ${host}`
    }
  }
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : 'none',
    subject: describeName(leaf, 'subject'),
    issuer: describeName(leaf, 'issuer'),
    validTo,
    daysLeft,
    chain,
    publicIssuer,
    ...(trustedBy === undefined ? {} : {trustedBy}),
    ...(problem === undefined ? {} : {problem, problemCode}),
  }
}

/**
Runs a TLS handshake over `socket` without letting Node reject the certificate, so the chain can be
inspected and reported, then judges it. The timer covers the whole handshake.
*/
export function handshake(socket: Socket, host: string, trust: TrustStore, timeoutMs: number): Promise<{socket: TLSSocket; info: TlsInfo}> {
  return new Promise((resolve, reject) => {
    const traffic = () => `${socket.bytesWritten} bytes sent, ${socket.bytesRead} received`
    // A peer that closed before or during the handshake can leave the TLS socket waiting forever:
    // the raw socket's close is the reliable signal, and whether it carried an error tells FIN from RST.
    const quietClose = (hadError: boolean) =>
      hadError
        ? Object.assign(new Error(`read ECONNRESET: the connection was reset during the TLS handshake (${traffic()})`), {code: 'ECONNRESET', syscall: 'read'})
        : new LayerFailure('eof', `the server closed the connection before the TLS handshake finished (${traffic()}); Go reports this as "EOF"`)
    if (socket.destroyed || socket.readyState !== 'open') {
      reject(quietClose(false))
      return
    }
    const onRawClose = (hadError: boolean) => {
      clearTimeout(timer)
      tlsSocket.destroy()
      reject(quietClose(hadError))
    }
    socket.once('close', onRawClose)
    const tlsSocket = tlsConnect({
      socket,
      ...(isIP(host) === 0 ? {servername: host} : {}),
      secureContext: trust.context,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    })
    const timer = setTimeout(() => {
      socket.off('close', onRawClose)
      const text = `TLS handshake with ${host}: no answer within ${timeoutMs} ms (${traffic()})`
      tlsSocket.destroy()
      socket.destroy()
      reject(
        Object.assign(new Error(text), {
          code: 'ETIMEDOUT',
        }),
      )
    }, timeoutMs)
    tlsSocket.once('secureConnect', () => {
      clearTimeout(timer)
      socket.off('close', onRawClose)
      tlsSocket.removeAllListeners('error')
      inspect(tlsSocket, host, trust).then(
        (info) => resolve({socket: tlsSocket, info}),
        (error: Error) => {
          tlsSocket.destroy()
          reject(error)
        },
      )
    })
    tlsSocket.once('error', (error: Error & {code?: string}) => {
      clearTimeout(timer)
      socket.off('close', onRawClose)
      const text = `${error.message} (${traffic()})`
      tlsSocket.destroy()
      socket.destroy()
      reject(Object.assign(new Error(text), {code: error.code, syscall: (error as {syscall?: string}).syscall}))
    })
  })
}

/** Plain words for a trusted or untrusted certificate, with the interception hint the reference describes. */
export function describeTls(info: TlsInfo, host: string, customSources: readonly string[]): string {
  const base = `${info.protocol}, certificate for ${info.subject} issued by ${info.issuer}, expires ${info.validTo} (${info.daysLeft} days)`
  if (info.problem) {
    const hint =
      !info.publicIssuer && customSources.length === 0 && info.problemCode !== 'CERT_HAS_EXPIRED'
        ? `; the issuer is not a public CA: if ${host} is a public registry, something on the path (a proxy or TLS inspection) is intercepting the connection`
        : ''
    return `${base}; ${info.problem}${hint}`
  }
  const trust = info.publicIssuer ? 'a public CA' : info.trustedBy?.startsWith('the system trust store') ? info.trustedBy : `a custom CA (${info.trustedBy ?? 'unknown source'})`
  return `${base}; trusted through ${trust}`
}
