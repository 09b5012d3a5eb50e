import {describe, expect, it} from 'vitest'
import {checkComponents} from '../../src/core/tree/components.js'
import {cursorIndex, explorerRows, initialExplorerState, reduceExplorer, type ExplorerAction, type ExplorerState} from '../../src/core/tree/explorer-state.js'
import type {FileTree} from '../../src/core/tree/file-tree.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {v09Layers} from './era-fixtures.js'
import {memoryImage} from './memory-image.js'

async function setup(): Promise<{tree: FileTree; state: ExplorerState; apply: (s: ExplorerState, ...actions: ExplorerAction[]) => ExplorerState}> {
  const image = await memoryImage(v09Layers())
  const tree = mergeLayers(image.layers)
  const checklist = checkComponents(image, tree)
  const state = initialExplorerState(tree, checklist.items)
  const apply = (s: ExplorerState, ...actions: ExplorerAction[]): ExplorerState =>
    actions.reduce((acc, action) => reduceExplorer(acc, action, {tree: acc.layer === tree.viewLayer ? tree : mergeLayers(image.layers, acc.layer), rows: explorerRows(acc.layer === tree.viewLayer ? tree : mergeLayers(image.layers, acc.layer), acc), height: 10}), s)
  return {tree, state, apply}
}

const paths = (tree: FileTree, s: ExplorerState): string[] => explorerRows(tree, s).map((r) => r.path)
const cursor = (tree: FileTree, s: ExplorerState): string | undefined => explorerRows(tree, s)[cursorIndex(s, explorerRows(tree, s))]?.path

describe('explorer state', () => {
  it('starts on the top layer with the folders of expected components open', async () => {
    const {tree, state} = await setup()
    expect(state.layer).toBe(2)
    const shown = paths(tree, state)
    expect(shown).toContain('usr/local/bin/runc')
    expect(shown).toContain('opt/cni/bin/dnsname')
    expect(shown).not.toContain('bin/busybox')
    expect(shown.slice(0, 3)).toEqual(['bin', 'etc', 'etc/alpine-release'])
  })

  it('moves, folds and unfolds, collapses all', async () => {
    const {tree, state, apply} = await setup()
    let s = apply(state, {type: 'move', delta: 0})
    expect(cursor(tree, s)).toBe('bin')
    s = apply(s, {type: 'toggle'})
    expect(paths(tree, s)).toContain('bin/busybox')
    s = apply(s, {type: 'move', delta: 1})
    expect(cursor(tree, s)).toBe('bin/busybox')
    s = apply(s, {type: 'collapse'})
    expect(cursor(tree, s)).toBe('bin')
    s = apply(s, {type: 'collapse'})
    expect(paths(tree, s)).not.toContain('bin/busybox')
    s = apply(s, {type: 'move', delta: 3}, {type: 'collapse-all'})
    expect(paths(tree, s)).toEqual(['bin', 'etc', 'home', 'lib', 'opt', 'tmp', 'usr', 'var'])
    s = apply(s, {type: 'end'})
    expect(cursor(tree, s)).toBe('var')
    s = apply(s, {type: 'expand-all'})
    expect(paths(tree, s)).toContain('usr/local/share/dagger/python-sdk/runtime/main.py')
  })

  it('filters with / (matches and their folders, every folder open)', async () => {
    const {tree, state, apply} = await setup()
    let s = apply(state, {type: 'filter-start'}, {type: 'filter-input', text: 'cni/bin/d'})
    expect(paths(tree, s)).toEqual(['opt', 'opt/cni', 'opt/cni/bin', 'opt/cni/bin/dnsname'])
    s = apply(s, {type: 'filter-backspace'}, {type: 'filter-input', text: 'lo'}, {type: 'filter-commit'})
    expect(s.filter).toBe('cni/bin/lo')
    expect(paths(tree, s)).toEqual(['opt', 'opt/cni', 'opt/cni/bin', 'opt/cni/bin/loopback'])
    s = apply(s, {type: 'filter-cancel'})
    expect(s.filter).toBe('')
  })

  it('toggles added, modified, removed and unmodified for the viewed layer, and moves between layers', async () => {
    const {tree, state, apply} = await setup()
    let s = apply(state, {type: 'show', change: 'unmodified'}, {type: 'expand-all'})
    const changed = explorerRows(tree, s)
    expect(changed.find((r) => r.path === 'usr/local/bin/old-tool')?.change).toBe('removed')
    expect(changed.find((r) => r.path === 'usr/local/bin/tool-a')?.change).toBe('added')
    expect(changed.find((r) => r.path === 'usr/local/share/dagger/python-sdk/pyproject.toml')?.change).toBe('modified')
    expect(changed.some((r) => r.path === 'usr/local/bin/runc')).toBe(false)
    s = apply(s, {type: 'show', change: 'removed'})
    expect(explorerRows(tree, s).some((r) => r.change === 'removed')).toBe(false)
    s = apply(s, {type: 'layer', delta: -1})
    expect(s.layer).toBe(1)
    s = apply(s, {type: 'layer', delta: -5})
    expect(s.layer).toBe(0)
  })

  it('jumps to the next expected component, opening its folders, and wraps around', async () => {
    const {tree, state, apply} = await setup()
    let s = apply(state, {type: 'collapse-all'}, {type: 'next-component', delta: 1})
    expect(cursor(tree, s)).toBe('usr/local/bin/runc')
    expect(s.message).toMatch(/Component 1 of 16/)
    s = apply(s, {type: 'next-component', delta: 1})
    expect(cursor(tree, s)).toBe('usr/local/bin/buildctl')
    s = apply(s, {type: 'next-component', delta: -1}, {type: 'next-component', delta: -1})
    expect(cursor(tree, s)).toBe('usr/local/bin/dagger-entrypoint.sh')
  })

  it('keeps an opened file and its scroll', async () => {
    const {state, apply} = await setup()
    let s = apply(state, {type: 'open-start', path: 'etc/dagger/engine.toml'})
    expect(s.open).toEqual({path: 'etc/dagger/engine.toml', scroll: 0})
    s = apply(s, {type: 'open-done', path: 'etc/dagger/engine.toml', text: 'debug = true'}, {type: 'open-scroll', delta: 2}, {type: 'open-scroll', delta: -5})
    expect(s.open).toEqual({path: 'etc/dagger/engine.toml', scroll: 0, text: 'debug = true'})
    s = apply(s, {type: 'close-file'})
    expect(s.open).toBeUndefined()
  })
})
