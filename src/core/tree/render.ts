import {sanitize} from '../notebook/sanitize.js'
import type {FileTree} from './file-tree.js'
import {CHANGE, CHANGE_NAMES, KIND, KIND_NAMES, type ChangeName, type ImageLayers, type KindName} from './types.js'

const TYPE_CHAR: Record<number, string> = {
  [KIND.file]: '-',
  [KIND.dir]: 'd',
  [KIND.symlink]: 'l',
  [KIND.hardlink]: '-',
  [KIND.char]: 'c',
  [KIND.block]: 'b',
  [KIND.fifo]: 'p',
}

/** `drwxr-xr-x`, with s/S and t/T for the setuid, setgid and sticky bits, as `ls -l` prints them. */
export function formatMode(kind: number, mode: number): string {
  const bit = (mask: number, ch: string): string => (mode & mask ? ch : '-')
  const special = (exec: number, flag: number, on: string): string =>
    mode & flag ? (mode & exec ? on : on.toUpperCase()) : mode & exec ? 'x' : '-'
  return (
    (TYPE_CHAR[kind] ?? '?') +
    bit(0o400, 'r') + bit(0o200, 'w') + special(0o100, 0o4000, 's') +
    bit(0o040, 'r') + bit(0o020, 'w') + special(0o010, 0o2000, 's') +
    bit(0o004, 'r') + bit(0o002, 'w') + special(0o001, 0o1000, 't')
  )
}

/** `0700` */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

/** Decimal units, as dive and `docker images` show sizes. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = ''
  for (const u of units) {
    value /= 1000
    unit = u
    if (value < 1000) break
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`
}

/** Which change kinds are shown; a directory stays when anything below it is shown. */
export interface ChangeFilter {
  readonly added: boolean
  readonly modified: boolean
  readonly removed: boolean
  readonly unmodified: boolean
}
export const SHOW_ALL: ChangeFilter = {added: true, modified: true, removed: true, unmodified: true}

export interface RowOptions {
  /** Directories shown open; all of them when absent. */
  readonly expanded?: (node: number) => boolean
  readonly show?: ChangeFilter
  /** Case-insensitive text that a path must contain; the matches' parents are kept. */
  readonly filter?: string
}

export interface TreeRow {
  readonly node: number
  readonly path: string
  readonly depth: number
  /** Tree glyphs before the name: `│   ├── `. */
  readonly prefix: string
  readonly name: string
  readonly kind: KindName
  readonly mode: string
  readonly owner: string
  readonly size: string
  readonly bytes: number
  readonly link?: string
  readonly change: ChangeName
  readonly isDir: boolean
  readonly hasChildren: boolean
  readonly expanded: boolean
}

function selfShown(tree: FileTree, node: number, show: ChangeFilter): boolean {
  switch (tree.changes[node]) {
    case CHANGE.added:
      return show.added
    case CHANGE.modified:
      return show.modified
    case CHANGE.removed:
      return show.removed
    default:
      return show.unmodified
  }
}

/**
Marks the nodes to keep: those matching the change filter and the text filter, plus their parents.
Returns undefined when nothing is filtered (everything kept), which is the cheap common case.
*/
export function keepMask(tree: FileTree, show: ChangeFilter, filter: string): Uint8Array | undefined {
  const needle = filter.trim().toLowerCase()
  const allChanges = show.added && show.modified && show.removed && show.unmodified
  if (allChanges && needle === '') return undefined
  const keep = new Uint8Array(tree.size)
  const order: number[] = []
  const paths: string[] = []
  for (const node of tree.walk(0, true)) {
    order.push(node)
    if (needle !== '') paths[node] = node === 0 ? '' : `${paths[tree.parents[node] ?? 0] ?? ''}/${tree.names[node]}`
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i] as number
    const textOk = needle === '' || (paths[node] ?? '').toLowerCase().includes(needle)
    if (!keep[node] && textOk && selfShown(tree, node, show) && node !== 0) keep[node] = 1
    if (keep[node]) {
      const parent = tree.parents[node] ?? -1
      if (parent >= 0) keep[parent] = 1
    }
  }
  keep[0] = 1
  return keep
}

/**
The rows of the open part of the tree, in order, with dive's glyphs; the root itself is not a row.
A generator, so printing a 100,000-file tree never holds all its rows.
*/
export function* rowsOf(tree: FileTree, options: RowOptions = {}): Generator<TreeRow> {
  const keep = keepMask(tree, options.show ?? SHOW_ALL, options.filter ?? '')
  const expanded = options.expanded ?? (() => true)
  const shown = (k: number): boolean => (keep ? keep[k] === 1 : tree.present[k] === 1 || tree.changes[k] === CHANGE.removed)
  interface Frame {
    readonly kids: number[]
    i: number
    readonly prefix: string
    readonly path: string
    readonly depth: number
  }
  const stack: Frame[] = [{kids: tree.childrenOf(0).filter(shown), i: 0, prefix: '', path: '', depth: 0}]
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame
    if (frame.i >= frame.kids.length) {
      stack.pop()
      continue
    }
    const kid = frame.kids[frame.i] as number
    const last = frame.i === frame.kids.length - 1
    frame.i++
    const kidPath = frame.path === '' ? (tree.names[kid] ?? '') : `${frame.path}/${tree.names[kid]}`
    const isDir = tree.kinds[kid] === KIND.dir
    const hasChildren = isDir && tree.childrenOf(kid).some(shown)
    const open = isDir && hasChildren && expanded(kid)
    yield rowOf(tree, kid, kidPath, frame.depth, `${frame.prefix}${last ? '└── ' : '├── '}`, hasChildren, open)
    if (open) stack.push({kids: tree.childrenOf(kid).filter(shown), i: 0, prefix: `${frame.prefix}${last ? '    ' : '│   '}`, path: kidPath, depth: frame.depth + 1})
  }
}

/** Rows for the open part of the tree, with dive's glyphs; the root itself is not a row. */
export function treeRows(tree: FileTree, options: RowOptions = {}): TreeRow[] {
  return [...rowsOf(tree, options)]
}

export function rowOf(tree: FileTree, node: number, path: string, depth: number, prefix: string, hasChildren: boolean, expanded: boolean): TreeRow {
  const kind = tree.kinds[node] ?? KIND.file
  const link = tree.links.get(node)
  return {
    node,
    path,
    depth,
    prefix,
    name: tree.names[node] ?? '',
    kind: KIND_NAMES[kind] ?? 'file',
    mode: formatMode(kind, tree.modes[node] ?? 0),
    owner: `${tree.uids[node] ?? 0}:${tree.gids[node] ?? 0}`,
    size: kind === KIND.dir || kind === KIND.file || kind === KIND.hardlink ? formatSize(tree.totals[node] ?? tree.sizes[node] ?? 0) : '',
    bytes: tree.totals[node] ?? 0,
    ...(link === undefined ? {} : {link}),
    change: CHANGE_NAMES[tree.changes[node] ?? 0] ?? 'none',
    isDir: kind === KIND.dir,
    hasChildren,
    expanded,
  }
}

const PLAIN_NAME = /^[\w.+,@-]*$/
const TOKEN_SHAPE = /eyJ|dag_|gh[pousr]_|github_pat_|dckr_pat_/

/**
`sanitize()` for file names and link targets, with a fast path: a name of plain characters and no
token shape has nothing to strip or redact (a big tree has 100,000 of them).
*/
export function sanitizeName(text: string): string {
  return PLAIN_NAME.test(text) && !TOKEN_SHAPE.test(text) ? text : sanitize(text)
}

/** One row as text: `drwxr-xr-x      0:0    1.2 MB  ├── bin`, `-> target` for links. */
export function formatRow(row: TreeRow, withChange = false): string {
  const arrow = row.link === undefined ? '' : row.kind === 'hardlink' ? ` => /${sanitizeName(row.link)}` : ` -> ${sanitizeName(row.link)}`
  const mark = withChange && row.change !== 'none' ? `  [${row.change}]` : ''
  return `${row.mode}  ${row.owner.padStart(9)}  ${row.size.padStart(8)}  ${row.prefix}${sanitizeName(row.name)}${arrow}${mark}`
}

export type TextOptions = Omit<RowOptions, 'expanded'> & {withChanges?: boolean}

const TEXT_HEADER = `${'Permission'.padEnd(10)}  ${'UID:GID'.padStart(9)}  ${'Size'.padStart(8)}  Filetree`

/** The whole tree as text (every directory open), the way `tree IMAGE` prints it. */
export function treeText(tree: FileTree, options: TextOptions = {}): string {
  return [...treeTextChunks(tree, options)].join('')
}

/** The same text in pieces of about `size` characters, for writing a big tree without holding it all. */
export function* treeTextChunks(tree: FileTree, options: TextOptions = {}, size = 64 * 1024): Generator<string> {
  let current = `${TEXT_HEADER}\n`
  for (const row of rowsOf(tree, options)) {
    current += `${formatRow(row, options.withChanges ?? false)}\n`
    if (current.length >= size) {
      yield current
      current = ''
    }
  }
  if (current) yield current
}

export interface FileJson {
  readonly path: string
  readonly kind: KindName
  readonly mode: string
  readonly uid: number
  readonly gid: number
  readonly size: number
  readonly link?: string
  readonly layer: number
  readonly change: ChangeName
}

/** Every node of the view, removed ones included when the viewed layer removed them. */
export function* fileEntries(tree: FileTree): Generator<FileJson> {
  const paths: string[] = ['']
  for (const node of tree.walk(0, true)) {
    if (node === 0) continue
    const parent = tree.parents[node] ?? 0
    const path = parent === 0 ? `/${tree.names[node]}` : `${paths[parent]}/${tree.names[node]}`
    paths[node] = path
    const link = tree.links.get(node)
    yield {
      path,
      kind: KIND_NAMES[tree.kinds[node] ?? 0] ?? 'file',
      mode: octalMode(tree.modes[node] ?? 0),
      uid: tree.uids[node] ?? 0,
      gid: tree.gids[node] ?? 0,
      size: tree.sizes[node] ?? 0,
      ...(link === undefined ? {} : {link}),
      layer: tree.layers[node] ?? 0,
      change: CHANGE_NAMES[tree.changes[node] ?? 0] ?? 'none',
    }
  }
}

/** Every node of the view as a flat list. */
export function treeFiles(tree: FileTree): FileJson[] {
  return [...fileEntries(tree)]
}

export interface LayerSummary {
  readonly index: number
  readonly key: string
  readonly compression: string
  readonly entries: number
  readonly bytes: number
  readonly whiteouts: number
  readonly opaques: number
}

export function layerSummaries(image: ImageLayers): LayerSummary[] {
  return image.layers.map((l, index) => ({
    index,
    key: l.key,
    compression: l.compression,
    entries: l.paths.length,
    bytes: l.bytes,
    whiteouts: l.whiteouts.length,
    opaques: l.opaques.length,
  }))
}

/** The tree as JSON: layers, and the files of the viewed layer's merged view. */
export function treeJson(image: ImageLayers, tree: FileTree, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    layout: image.layout,
    tags: image.tags,
    viewLayer: tree.viewLayer,
    layers: layerSummaries(image),
    files: treeFiles(tree),
  }
}

/** `JSON.stringify(treeJson(…))` in pieces, without building the file list first. */
export function* treeJsonChunks(image: ImageLayers, tree: FileTree, extra: Record<string, unknown> = {}, size = 64 * 1024): Generator<string> {
  const head = JSON.stringify({...extra, layout: image.layout, tags: image.tags, viewLayer: tree.viewLayer, layers: layerSummaries(image)})
  let current = `${head.slice(0, -1)},"files":[`
  let first = true
  for (const file of fileEntries(tree)) {
    current += `${first ? '' : ','}${JSON.stringify(file)}`
    first = false
    if (current.length >= size) {
      yield current
      current = ''
    }
  }
  yield `${current}]}`
}

export interface LayerChanges {
  readonly added: string[]
  readonly modified: string[]
  /** Top-most removed paths; what was below them went with them. */
  readonly removed: string[]
}

/** What the viewed layer changed, as absolute paths. */
export function changesOf(tree: FileTree): LayerChanges {
  const out: LayerChanges = {added: [], modified: [], removed: []}
  for (const node of tree.walk(0, true)) {
    const change = tree.changes[node]
    if (change === CHANGE.none || node === 0) continue
    const path = `/${tree.pathOf(node)}`
    if (change === CHANGE.added) out.added.push(path)
    else if (change === CHANGE.modified) out.modified.push(path)
    else if (tree.changes[tree.parents[node] ?? 0] !== CHANGE.removed) out.removed.push(path)
  }
  return out
}

