import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

/** The commit the fake checkout's HEAD names (what the log header shows next to its path). */
export const FAKE_COMMIT = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'

/**
A folder the tool takes for a dagger checkout and nothing more: the go.mod it looks for and git's HEAD.
The notebook runs on it without asking for a checkout; the cells that build find no build script in it.
*/
export async function fakeCheckout(parent?: string, name = 'dagger'): Promise<string> {
  const root = path.join(parent ?? (await mkdtemp(path.join(tmpdir(), 'de-checkout-'))), name)
  await mkdir(path.join(root, '.git', 'refs', 'heads'), {recursive: true})
  await writeFile(path.join(root, 'go.mod'), 'module github.com/dagger/dagger\n\ngo 1.22\n')
  await writeFile(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n')
  await writeFile(path.join(root, '.git', 'refs', 'heads', 'main'), `${FAKE_COMMIT}\n`)
  return root
}
