import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {Session} from '../../src/cells/session.js'
import {CELLS} from '../../src/cells/registry.js'
import {defaultSettings} from '../../src/cells/context.js'
import {App} from '../../src/ui/App.js'
import {headerDetail, shortPath} from '../../src/ui/notebook/header.js'
import {fakeCheckout} from '../helpers/checkout.js'
import {waitForFrame} from '../helpers/ink.js'

describe('the notebook header', () => {
  it('shortens paths under the home folder as a shell prompt does, and only those', () => {
    expect(shortPath('/home/ann/src/dagger', '/home/ann')).toBe('~/src/dagger')
    expect(shortPath('/home/ann', '/home/ann')).toBe('~')
    expect(shortPath('/home/anna/dagger', '/home/ann')).toBe('/home/anna/dagger')
    expect(shortPath('/srv/dagger', '/')).toBe('/srv/dagger')
    expect(shortPath('/home/ann/..cache/x', '/home/ann')).toBe('~/..cache/x')
    expect(shortPath('/home/x', '/home/ann')).toBe('/home/x')
  })

  it('names the checkout before the notes, or says there is none', () => {
    expect(headerDetail('/home/ann/dagger', '/home/ann/.local/state/dagger-explore/notes/x.md', '/home/ann')).toBe('  checkout: ~/dagger  notes: ~/.local/state/dagger-explore/notes/x.md')
    expect(headerDetail(undefined, '/tmp/n/x.md', '/home/ann')).toBe('  no checkout  notes: /tmp/n/x.md')
  })

  it('shows the checkout the session works on', async () => {
    const root = await fakeCheckout()
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-header-'))
    const session = await Session.start({env: {...process.env, DOCKER_HOST: 'unix:///tmp/dagger-explore-no-such.sock'}, settings: defaultSettings({notesDir, cwd: root})})
    const ui = render(<App session={session} cells={CELLS} onQuit={() => undefined} />)
    const frame = await waitForFrame(ui.lastFrame, (f) => f.includes('Environment'))
    expect(frame.split('\n')[0]).toContain(`checkout: ${shortPath(root)}`)
    ui.unmount()
  })
})
