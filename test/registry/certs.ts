/** A throwaway CA and server certificates for the loopback fronts, made with openssl in a temp dir. */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'

export interface Pair {
  readonly cert: string
  readonly key: string
  readonly certFile: string
  readonly keyFile: string
}

export interface TestCerts {
  readonly dir: string
  readonly ca: string
  readonly caFile: string
  /** For 127.0.0.1, ::1 and localhost. */
  readonly good: Pair
  /** Signed by the CA but for another name. */
  readonly wrongName: Pair
  /** Signed by the CA, for the right names, expired in 2021. */
  readonly expired: Pair
  cleanup(): Promise<void>
}

const SAN = 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost'

async function openssl(dir: string, args: string[]): Promise<void> {
  await execa('openssl', args, {cwd: dir, timeout: 30_000, stdin: 'ignore'})
}

async function pair(dir: string, name: string): Promise<Pair> {
  const certFile = join(dir, `${name}.pem`)
  const keyFile = join(dir, `${name}.key`)
  return {cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile}
}

export async function makeCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'dx-registry-certs-'))
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  await openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3', '-subj', '/CN=dagger-explore test CA/O=dagger-explore tests',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  const sign = async (name: string, cn: string, san: string) => {
    await openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`])
    await writeFile(join(dir, `${name}.ext`), `${san}\nextendedKeyUsage=serverAuth\n`)
    await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3', '-extfile', `${name}.ext`, '-out', `${name}.pem`])
  }
  await sign('good', '127.0.0.1', SAN)
  await sign('wrong', 'other.invalid', 'subjectAltName=DNS:other.invalid')
  // `openssl x509` cannot backdate; `openssl ca` can, given a tiny CA database.
  await openssl(dir, ['req', ...ec, '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=127.0.0.1', '-addext', SAN])
  await writeFile(join(dir, 'index.txt'), '')
  await writeFile(join(dir, 'serial'), '1000\n')
  await writeFile(
    join(dir, 'ca.cnf'),
    ['[ca]', 'default_ca = d', '[d]', 'database = index.txt', 'serial = serial', 'new_certs_dir = .', 'default_md = sha256', 'policy = p', 'copy_extensions = copy', '[p]', 'commonName = supplied', ''].join('\n'),
  )
  await openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-notext'])
  return {
    dir,
    ca: await readFile(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    good: await pair(dir, 'good'),
    wrongName: await pair(dir, 'wrong'),
    expired: await pair(dir, 'expired'),
    cleanup: () => rm(dir, {recursive: true, force: true}),
  }
}
