import {FileTree} from './file-tree.js'
import {CHANGE, KIND, type LayerData} from './types.js'

/**
Applies layers 0…`upTo` the way the daemon does (OCI image spec "Applying changesets"): in each
layer, opaque directories and whiteouts act first and only on the layers below; then entries are
added, a non-directory replacing whatever was at its path. The viewed layer's changes are kept as
added / modified / removed marks.
*/
export function mergeLayers(layers: readonly LayerData[], upTo = layers.length - 1): FileTree {
  const last = Math.min(Math.max(upTo, 0), Math.max(layers.length - 1, 0))
  const tree = new FileTree(last, layers.length)
  for (let l = 0; l <= last && l < layers.length; l++) applyLayer(tree, layers[l] as LayerData, l, l === last)
  resolveHardLinks(tree)
  tree.finish()
  return tree
}

function remove(tree: FileTree, node: number, path: string, inView: boolean): void {
  if (node === 0) return
  if (inView) tree.markRemoved(node)
  else tree.drop(node, path)
}

function ensureDir(tree: FileTree, path: string, layer: number, inView: boolean): number {
  if (path === '') return 0
  const found = tree.lookup(path)
  if (found !== undefined) {
    if (tree.present[found] !== 1) {
      tree.present[found] = 1
      tree.changes[found] = CHANGE.modified
    }
    return found
  }
  const slash = path.lastIndexOf('/')
  const parent = ensureDir(tree, slash === -1 ? '' : path.slice(0, slash), layer, inView)
  const node = tree.create(path, slash === -1 ? path : path.slice(slash + 1), parent)
  tree.layers[node] = layer
  if (inView) tree.changes[node] = CHANGE.added
  return node
}

function applyLayer(tree: FileTree, layer: LayerData, l: number, inView: boolean): void {
  for (const dir of layer.opaques) {
    const node = tree.lookup(dir)
    if (node === undefined || tree.present[node] !== 1) continue
    for (const kid of [...tree.childrenOf(node)]) {
      if (tree.present[kid] === 1) remove(tree, kid, dir === '' ? (tree.names[kid] ?? '') : `${dir}/${tree.names[kid]}`, inView)
    }
  }
  for (const path of layer.whiteouts) {
    const node = tree.lookup(path)
    if (node !== undefined && tree.present[node] === 1) remove(tree, node, path, inView)
  }
  const count = layer.paths.length
  for (let i = 0; i < count; i++) {
    const path = layer.paths[i] as string
    const kind = layer.kinds[i] as (typeof KIND)[keyof typeof KIND]
    const slash = path.lastIndexOf('/')
    const parent = ensureDir(tree, slash === -1 ? '' : path.slice(0, slash), l, inView)
    let node = tree.lookup(path)
    let change: number = CHANGE.added
    if (node !== undefined) {
      const wasPresent = tree.present[node] === 1
      const oldKind = tree.kinds[node]
      if (wasPresent && oldKind !== kind && (oldKind === KIND.dir || kind === KIND.dir)) {
        for (const kid of [...tree.childrenOf(node)]) if (tree.present[kid] === 1) remove(tree, kid, `${path}/${tree.names[kid]}`, inView)
      }
      if (tree.changes[node] === CHANGE.added && tree.layers[node] === l) change = CHANGE.added
      else if (
        wasPresent &&
        kind === KIND.dir &&
        oldKind === KIND.dir &&
        tree.modes[node] === layer.modes[i] &&
        tree.uids[node] === layer.uids[i] &&
        tree.gids[node] === layer.gids[i]
      )
        change = tree.changes[node] ?? CHANGE.none
      else change = CHANGE.modified
      tree.present[node] = 1
    } else {
      node = tree.create(path, slash === -1 ? path : path.slice(slash + 1), parent)
    }
    tree.kinds[node] = kind
    tree.modes[node] = layer.modes[i] ?? 0
    tree.uids[node] = layer.uids[i] ?? 0
    tree.gids[node] = layer.gids[i] ?? 0
    tree.sizes[node] = layer.sizes[i] ?? 0
    tree.layers[node] = l
    if (inView) tree.changes[node] = change as (typeof CHANGE)[keyof typeof CHANGE]
    const link = layer.links.get(i)
    if (link === undefined) tree.links.delete(node)
    else tree.links.set(node, link)
    if (kind === KIND.hardlink && link !== undefined) {
      // A hard link shares the inode it points at: same size, as it was when the link was made.
      // The daemon also applies the link header's mode and owner to the shared inode, so the
      // target shows them too (docker export agrees).
      const target = tree.lookup(link)
      if (target !== undefined && tree.present[target] === 1) {
        tree.sizes[node] = tree.sizes[target] ?? 0
        tree.modes[target] = tree.modes[node] ?? 0
        tree.uids[target] = tree.uids[node] ?? 0
        tree.gids[target] = tree.gids[node] ?? 0
      }
    }
  }
}

/** A hard link whose target is gone, or is no longer a regular file, is just a file now. */
function resolveHardLinks(tree: FileTree): void {
  for (const [node, target] of tree.links) {
    if (tree.kinds[node] !== KIND.hardlink) continue
    const t = tree.lookup(target)
    const alive = t !== undefined && tree.present[t] === 1 && (tree.kinds[t] === KIND.file || tree.kinds[t] === KIND.hardlink)
    if (!alive) {
      tree.kinds[node] = KIND.file
      tree.links.delete(node)
    }
  }
}
