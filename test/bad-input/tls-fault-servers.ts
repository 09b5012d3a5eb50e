/**
TLS and HTTP fault servers on loopback for the bad-input suite: what an unlucky network or a wrong
port hands the registry probe. One port per fault; every server listens on 127.0.0.1 only and
`close()` destroys every socket it accepted.
*/
import {createServer as createHttpServer} from 'node:http'
import {createServer as createNetServer, type Server, type Socket} from 'node:net'
import {createServer as createTlsServer, type TLSSocket} from 'node:tls'
import {execa} from 'execa'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {makeCerts, type TestCerts} from '../registry/certs.js'

export const TLS_FAULTS = [
  'plainHttp',
  'h2Only',
  'garbage',
  'http99',
  'endlessHeaders',
  'selfSigned',
  'expired',
  'wrongName',
  'handshakeStall',
  'alert',
  'closeMidHandshake',
] as const
export type TlsFault = (typeof TLS_FAULTS)[number]

export interface TlsFaultServers {
  readonly certs: TestCerts
  readonly ports: Readonly<Record<TlsFault, number>>
  ref(fault: TlsFault): string
  close(): Promise<void>
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port)))
}

export async function startTlsFaults(): Promise<TlsFaultServers> {
  const certs = await makeCerts()
  const servers: Server[] = []
  const sockets = new Set<Socket>()
  const track = <S extends Server>(server: S, event = 'connection'): S => {
    servers.push(server)
    server.on(event, (s: Socket) => {
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => sockets.delete(s))
    })
    server.on('tlsClientError', () => undefined)
    return server
  }
  const good = {cert: certs.good.cert, key: certs.good.key}
  /** TLS done, then `reply` written raw as the HTTP answer to the first request. */
  const tlsRaw = (reply: (s: TLSSocket) => void) => track(createTlsServer(good, (s) => s.once('data', () => reply(s))))
  const ports: Partial<Record<TlsFault, number>> = {}
  // A plain-HTTP registry (as `registry:2` without TLS serves) on the port the reference names.
  ports.plainHttp = await listen(
    track(
      createHttpServer((_req, res) => {
        res.writeHead(200, {'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0'})
        res.end('{}')
      }),
    ),
  )
  // Speaks TLS but only HTTP/2: ALPN offers h2 alone, so a client offering http/1.1 gets an alert.
  ports.h2Only = await listen(track(createTlsServer({...good, ALPNProtocols: ['h2']}, (s) => s.end())))
  ports.garbage = await listen(tlsRaw((s) => s.end(Buffer.from('\u0000\u00ff\u0013garbage that is no HTTP\r\n\r\n', 'latin1'))))
  ports.http99 = await listen(tlsRaw((s) => s.end('HTTP/9.9 200 OK\r\nContent-Length: 2\r\n\r\n{}')))
  ports.endlessHeaders = await listen(
    tlsRaw((s) => {
      s.write('HTTP/1.1 200 OK\r\n')
      // 1 MiB of headers at most, then stop: a bounded stand-in for "endless".
      let sent = 0
      const more = () => {
        while (sent < 1024 * 1024 && !s.destroyed) {
          sent += 64
          if (!s.write(`X-Filler-${sent}: ${'x'.repeat(48)}\r\n`)) return void s.once('drain', more)
        }
      }
      more()
    }),
  )
  // Its own issuer, for the right name: trusted by nobody.
  await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'self.key', '-out', 'self.pem'], {cwd: certs.dir, timeout: 30_000, stdin: 'ignore'})
  const self = {cert: await readFile(join(certs.dir, 'self.pem'), 'utf8'), key: await readFile(join(certs.dir, 'self.key'), 'utf8')}
  ports.selfSigned = await listen(track(createTlsServer(self, (s) => s.end())))
  ports.expired = await listen(track(createTlsServer({cert: certs.expired.cert, key: certs.expired.key}, (s) => s.end())))
  ports.wrongName = await listen(track(createTlsServer({cert: certs.wrongName.cert, key: certs.wrongName.key}, (s) => s.end())))
  // Accepts TCP and never says a TLS word.
  ports.handshakeStall = await listen(track(createNetServer(() => undefined)))
  // Answers the ClientHello with a fatal TLS alert (handshake_failure, 40).
  ports.alert = await listen(track(createNetServer((s) => s.once('data', () => s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]))))))
  // Reads the ClientHello, sends half a ServerHello record, and closes.
  ports.closeMidHandshake = await listen(track(createNetServer((s) => s.once('data', () => s.end(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00]))))))
  return {
    certs,
    ports: ports as Record<TlsFault, number>,
    ref: (fault) => `127.0.0.1:${ports[fault]}/lab/app:v1`,
    async close() {
      for (const s of sockets) s.destroy()
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
      await certs.cleanup()
    },
  }
}
