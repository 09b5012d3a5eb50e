import {readFile} from 'node:fs/promises'
import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {checkComponents} from '../../src/core/tree/components.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {footerLine, TREE_HINTS} from '../../src/ui/tree/footer.js'
import {TreeExplorer} from '../../src/ui/tree/TreeExplorer.js'
import {waitForFrame} from '../helpers/ink.js'
import {ENGINE_TOML, v09BrokenLayers} from './era-fixtures.js'
import {removeTemp, tempDir} from './fixtures.js'
import {memoryImage} from './memory-image.js'

async function setup(extra: {exportDir?: string; width?: number} = {}) {
  const image = await memoryImage(v09BrokenLayers())
  const tree = mergeLayers(image.layers)
  const checklist = checkComponents(image, tree)
  const closed: string[] = []
  const ui = render(
    <TreeExplorer
      image={image}
      tree={tree}
      checklist={checklist}
      name="dagger-engine.dev"
      height={12}
      width={extra.width ?? 110}
      readFile={async (path) => (path === '/etc/dagger/engine.toml' ? ENGINE_TOML : undefined)}
      onClose={() => closed.push('closed')}
      {...(extra.exportDir ? {exportDir: extra.exportDir} : {})}
    />,
  )
  await waitForFrame(ui.lastFrame, (f) => f.includes('dagger-engine.dev'))
  await new Promise((r) => setTimeout(r, 100))
  return {ui, closed}
}

describe('TreeExplorer (Ink)', () => {
  it('shows dive-like rows, the layer, the checklist count and the keys', async () => {
    const {ui} = await setup()
    const frame = ui.lastFrame() ?? ''
    expect(frame).toMatch(/dagger-engine\.dev layer 3 of 3/)
    expect(frame).toMatch(/15\/16 components/)
    expect(frame).toMatch(/drwxr-xr-x\s+0:0\s+2\.0 MB\s+├── ▸ bin/)
    expect(frame).toMatch(/n N next component/)
    ui.unmount()
  })

  it('jumps to the next component, filters with /, and toggles removed files', async () => {
    const {ui} = await setup()
    ui.stdin.write('n')
    let frame = await waitForFrame(ui.lastFrame, (f) => f.includes('Component 1 of 15'))
    expect(frame).toMatch(/runc/)
    ui.stdin.write('/')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/▌'))
    ui.stdin.write('dnsname')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('/dnsname▌'))
    // dnsname was deleted by the top layer: shown as removed while removed files are shown.
    expect(frame).toMatch(/-\s+-rwxr-xr-x.*dnsname/)
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('filter: dnsname'))
    ui.stdin.write('r')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('□ removed'))
    expect(frame).toContain('nothing to show')
    ui.unmount()
  })

  it('opens a file and goes back, and moves between layers', async () => {
    const {ui, closed} = await setup()
    ui.stdin.write('/')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/▌'))
    ui.stdin.write('engine.toml')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/engine.toml▌'))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('filter: engine.toml'))
    ui.stdin.write('G')
    await waitForFrame(ui.lastFrame, (f) => f.includes('3/3'))
    ui.stdin.write('o')
    let frame = await waitForFrame(ui.lastFrame, (f) => f.includes('insecure-entitlements'))
    expect(frame).toContain('/etc/dagger/engine.toml')
    ui.stdin.write('q')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('filter: engine.toml'))
    ui.stdin.write('[')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('layer 2 of 3'))
    ui.stdin.write('\u001B')
    await waitForFrame(ui.lastFrame, (f) => !f.includes('filter: engine.toml'))
    ui.stdin.write('q')
    await new Promise((r) => setTimeout(r, 50))
    expect(closed).toEqual(['closed'])
    ui.unmount()
  })

  it('exports the tree as text and as JSON', async () => {
    const dir = await tempDir()
    try {
      const {ui} = await setup({exportDir: dir})
      ui.stdin.write('x')
      const text = await waitForFrame(ui.lastFrame, (f) => /Exported to \S+\.txt/.test(f))
      const textFile = /Exported to (\S+\.txt)/.exec(text)?.[1] ?? ''
      expect(await readFile(textFile, 'utf8')).toMatch(/dnsname\s+\[removed\]/)
      ui.stdin.write('J')
      const json = await waitForFrame(ui.lastFrame, (f) => /Exported to \S+\.json/.test(f))
      const doc = JSON.parse(await readFile(/Exported to (\S+\.json)/.exec(json)?.[1] ?? '', 'utf8')) as {files: {path: string}[]}
      expect(doc.files.some((f) => f.path === '/usr/local/bin/runc')).toBe(true)
      ui.unmount()
    } finally {
      await removeTemp(dir)
    }
  })

  it('at 60 columns the footer keeps the way out: later keys give way, a long message is cut before it', async () => {
    const {ui} = await setup({width: 60})
    const last = (f: string) => f.split('\n').at(-1) ?? ''
    let frame = ui.lastFrame() ?? ''
    expect(last(frame)).toMatch(/^1\/\d+ · ↑↓ move · .* · q close$/)
    expect(last(frame).length).toBeLessThanOrEqual(60)
    ui.stdin.write('e')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('folders expanded'))
    expect(last(frame)).toMatch(/folders expanded\. · .*q close$/)
    ui.stdin.write('/')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/▌'))
    ui.stdin.write('engine.toml')
    await waitForFrame(ui.lastFrame, (f) => f.includes('/engine.toml▌'))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('filter: engine.toml'))
    ui.stdin.write('G')
    await waitForFrame(ui.lastFrame, (f) => f.includes('3/3'))
    ui.stdin.write('o')
    frame = await waitForFrame(ui.lastFrame, (f) => f.includes('insecure-entitlements'))
    expect(last(frame)).toMatch(/^1\/\d+ · .*q or Esc back to the tree$/)
    ui.unmount()
  })

  it('footerLine fits the width with the way out last, whatever the width', () => {
    for (let width = 20; width <= 200; width++) {
      const line = footerLine('12/345 · Exported to /tmp/a/very/long/path/tree-2026-12-03T080000.json', TREE_HINTS, 'q close', width)
      expect(line.length, line).toBeLessThanOrEqual(Math.max(width, 12))
      expect(line.endsWith(' · q close')).toBe(true)
    }
    expect(footerLine('1/3', TREE_HINTS, 'q close', 200)).toBe(`1/3 · ${TREE_HINTS.join(' · ')} · q close`)
    expect(footerLine('1/3', TREE_HINTS, 'q close', 40)).toBe('1/3 · ↑↓ move · space fold · q close')
  })
})
