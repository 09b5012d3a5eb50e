import {createHash} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

/** Writes a docker context the way `docker context create` stores it. */
export async function writeContext(configDir: string, name: string, host: string, opts: {skipTls?: boolean; tls?: boolean} = {}) {
  const id = createHash('sha256').update(name).digest('hex')
  const meta = path.join(configDir, 'contexts', 'meta', id)
  await mkdir(meta, {recursive: true})
  await writeFile(
    path.join(meta, 'meta.json'),
    JSON.stringify({Name: name, Metadata: {Description: 'test'}, Endpoints: {docker: {Host: host, SkipTLSVerify: opts.skipTls ?? false}}}),
  )
  if (opts.tls) {
    const tls = path.join(configDir, 'contexts', 'tls', id, 'docker')
    await mkdir(tls, {recursive: true})
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(path.join(tls, f), 'x')
  }
}

