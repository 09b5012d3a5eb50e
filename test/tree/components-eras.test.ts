import {describe, expect, it} from 'vitest'
import {checkComponents, checklistFindings} from '../../src/core/tree/components.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {wolfiLayers} from './era-fixtures.js'
import type {FixtureEntry, FixtureLayer} from './fixtures.js'
import {memoryImage} from './memory-image.js'

/** The Wolfi fixture image edited into another release's layout. */
function variant(edit: (entries: FixtureEntry[]) => FixtureEntry[]): FixtureLayer[] {
  return wolfiLayers().map((layer) => edit([...layer]))
}
const without = (...paths: string[]) => (entries: FixtureEntry[]): FixtureEntry[] => entries.filter((e) => !paths.includes(e.path))
const script = (text: string): string => `#!/bin/sh\n${text}\n`
/** Entrypoint of the Wolfi images before v0.21.0: the engine is exec'd directly, so it is PID 1. */
const ENTRYPOINT_NO_TINI = '#!/bin/sh\nset -e\n# cgroup v2 nesting, then the engine\nexec /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml "$@"\n'

async function check(layers: FixtureLayer[]) {
  const image = await memoryImage(layers)
  const tree = mergeLayers(image.layers)
  const checklist = checkComponents(image, tree)
  return {checklist, findings: checklistFindings(checklist, 'fixture')}
}

describe('Components checklist across the Wolfi-based releases', () => {
  it('v0.13.6 to v0.20 layout: no tini in the entrypoint, dumb-init or dagger-init, no apk database, all normal', async () => {
    const layers = variant((entries) => [
      ...without('usr/local/bin/tini', 'usr/local/bin/dagger-init', 'usr/lib/apk/db/installed')(entries).map((e) => (e.path === 'usr/local/bin/dagger-entrypoint.sh' ? {...e, content: ENTRYPOINT_NO_TINI} : e)),
      ...(entries.some((e) => e.path === 'usr/local/bin/dagger-init') ? [{path: 'usr/local/bin/dumb-init', type: 'file', mode: 0o755, content: script('echo dumb-init')} as FixtureEntry] : []),
    ])
    const {checklist, findings} = await check(layers)
    expect(checklist.items.map((i) => i.id)).not.toContain('tini')
    expect(checklist.items.find((i) => i.id === 'dagger-init')).toMatchObject({state: 'present', path: '/usr/local/bin/dumb-init'})
    expect(findings.find((f) => f.id === 'components-package-db-absent')).toMatchObject({status: 'pass'})
    expect(findings.find((f) => f.id === 'components-package-db-absent')?.title).toContain('#8787')
    expect(findings.filter((f) => f.status !== 'pass')).toEqual([])
  })

  it('v0.21.0 on: the entrypoint runs tini, so a missing tini fails', async () => {
    const {findings} = await check(variant(without('usr/local/bin/tini')))
    expect(findings.find((f) => f.id === 'component-missing-tini')?.status).toBe('fail')
  })

  it('buildctl must be the symlink to dial-stdio that `docker exec … buildctl dial-stdio` reaches', async () => {
    const layers = variant((entries) => entries.map((e) => (e.path === 'usr/bin/buildctl' ? {path: 'usr/bin/buildctl', type: 'file', mode: 0o755, content: script('echo buildctl')} : e)))
    const {findings} = await check(layers)
    expect(findings.find((f) => f.id === 'component-wrong-buildctl')?.title).toBe('/usr/bin/buildctl: is a file, not a symlink')
    const dangling = await check(variant(without('usr/bin/dial-stdio')))
    expect(dangling.findings.find((f) => f.id === 'component-missing-buildctl')?.detail).toContain('dangling symlink to dial-stdio')
  })
})
