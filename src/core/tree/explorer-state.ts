import type {ChecklistItem} from './components.js'
import type {FileTree} from './file-tree.js'
import {SHOW_ALL, treeRows, type ChangeFilter, type TreeRow} from './render.js'

/**
The explorer's state and its transitions, kept apart from Ink so they can be tested as plain data.
Directories and the cursor are remembered by path, not node number, because moving to another
layer builds another tree.
*/
export interface ExplorerState {
  readonly layer: number
  readonly layerCount: number
  readonly expanded: ReadonlySet<string>
  readonly cursorPath?: string
  readonly top: number
  readonly filter: string
  /** The filter being typed after `/`; undefined when not typing. */
  readonly draft?: string
  readonly show: ChangeFilter
  /** Paths of the expected components present in the tree, in checklist order. */
  readonly components: readonly string[]
  readonly open?: {readonly path: string; readonly text?: string; readonly error?: string; readonly scroll: number}
  readonly message: string
}

export type ExplorerAction =
  | {type: 'move'; delta: number}
  | {type: 'home'}
  | {type: 'end'}
  | {type: 'toggle'}
  | {type: 'expand'}
  | {type: 'collapse'}
  | {type: 'collapse-all'}
  | {type: 'expand-all'}
  | {type: 'filter-start'}
  | {type: 'filter-input'; text: string}
  | {type: 'filter-backspace'}
  | {type: 'filter-commit'}
  | {type: 'filter-cancel'}
  | {type: 'show'; change: keyof ChangeFilter}
  | {type: 'layer'; delta: number}
  | {type: 'next-component'; delta: 1 | -1}
  | {type: 'open-start'; path: string}
  | {type: 'open-done'; path: string; text?: string; error?: string}
  | {type: 'open-scroll'; delta: number}
  | {type: 'close-file'}
  | {type: 'message'; text: string}
  /** Scrolls so the cursor shows, after the rows were rebuilt. */
  | {type: 'settle'}

/** What a transition may look at besides the state: the tree on show and the rows it gives. */
export interface ExplorerContext {
  readonly tree: FileTree
  readonly rows: readonly TreeRow[]
  /** Rows of tree visible at once. */
  readonly height: number
}

function ancestors(path: string): string[] {
  const parts = path.split('/')
  const out: string[] = []
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'))
  return out
}

/** Paths (no leading slash) of the present expected components, for `n`. */
export function componentPaths(items: readonly ChecklistItem[] | undefined, tree: FileTree): string[] {
  const out: string[] = []
  for (const item of items ?? []) {
    if (item.state === 'missing' || item.node === undefined) continue
    // The item's node comes from the top tree; its path holds in every tree.
    const rel = item.path.includes('*') ? tree.pathOf(item.node) : item.path.replace(/^\/+/, '')
    out.push(rel)
  }
  return out
}

/** The first state: the top layer, the folders leading to the expected components open. */
export function initialExplorerState(tree: FileTree, items?: readonly ChecklistItem[]): ExplorerState {
  const components = componentPaths(items, tree)
  const expanded = new Set<string>()
  for (const p of components) for (const a of ancestors(p)) expanded.add(a)
  return {
    layer: tree.viewLayer,
    layerCount: tree.layerCount,
    expanded,
    top: 0,
    filter: '',
    show: SHOW_ALL,
    components,
    message: '',
  }
}

/** The rows for a state: with a filter every folder is open, so that matches show. */
export function explorerRows(tree: FileTree, state: ExplorerState): TreeRow[] {
  const filter = state.draft ?? state.filter
  return treeRows(tree, {
    show: state.show,
    filter,
    expanded: filter.trim() !== '' ? () => true : (node) => state.expanded.has(tree.pathOf(node)),
  })
}

export function cursorIndex(state: ExplorerState, rows: readonly TreeRow[]): number {
  if (rows.length === 0) return -1
  if (state.cursorPath === undefined) return 0
  const at = rows.findIndex((r) => r.path === state.cursorPath)
  if (at !== -1) return at
  // The row went away (collapsed or filtered): stay on its nearest shown parent.
  for (const a of ancestors(state.cursorPath).reverse()) {
    const up = rows.findIndex((r) => r.path === a)
    if (up !== -1) return up
  }
  return 0
}

/** Keeps the cursor inside the visible window. */
function scrolled(state: ExplorerState, index: number, height: number): ExplorerState {
  let top = state.top
  if (index < top) top = index
  if (index >= top + height) top = index - height + 1
  return {...state, top: Math.max(0, top)}
}

function moveTo(state: ExplorerState, rows: readonly TreeRow[], index: number, height: number): ExplorerState {
  if (rows.length === 0) return state
  const i = Math.min(Math.max(index, 0), rows.length - 1)
  return scrolled({...state, cursorPath: rows[i]?.path ?? state.cursorPath}, i, height)
}

export function reduceExplorer(state: ExplorerState, action: ExplorerAction, ctx: ExplorerContext): ExplorerState {
  const {rows, height} = ctx
  const index = cursorIndex(state, rows)
  const row = rows[index]
  switch (action.type) {
    case 'move':
      return moveTo({...state, message: ''}, rows, index + action.delta, height)
    case 'home':
      return moveTo(state, rows, 0, height)
    case 'end':
      return moveTo(state, rows, rows.length - 1, height)
    case 'toggle': {
      if (!row?.isDir || !row.hasChildren) return state
      const expanded = new Set(state.expanded)
      if (expanded.has(row.path)) expanded.delete(row.path)
      else expanded.add(row.path)
      return {...state, expanded}
    }
    case 'expand': {
      if (!row?.isDir || state.expanded.has(row.path)) return state
      return {...state, expanded: new Set([...state.expanded, row.path])}
    }
    case 'collapse': {
      if (row?.isDir && state.expanded.has(row.path)) {
        const expanded = new Set(state.expanded)
        expanded.delete(row.path)
        return {...state, expanded}
      }
      const parent = row ? ancestors(row.path).pop() : undefined
      if (parent === undefined) return state
      const at = rows.findIndex((r) => r.path === parent)
      return moveTo(state, rows, at, height)
    }
    case 'collapse-all': {
      const top = row ? (row.path.split('/')[0] ?? row.path) : undefined
      return {...state, expanded: new Set(), top: 0, ...(top ? {cursorPath: top} : {}), message: 'All folders collapsed.'}
    }
    case 'expand-all': {
      const expanded = new Set<string>()
      for (const node of ctx.tree.walk(0, true)) if (ctx.tree.isDir(node) && node !== 0) expanded.add(ctx.tree.pathOf(node))
      return {...state, expanded, message: `${expanded.size} folders expanded.`}
    }
    case 'filter-start':
      return {...state, draft: state.filter}
    case 'filter-input':
      return state.draft === undefined ? state : {...state, draft: state.draft + action.text, top: 0}
    case 'filter-backspace':
      return state.draft === undefined ? state : {...state, draft: state.draft.slice(0, -1), top: 0}
    case 'filter-commit': {
      if (state.draft === undefined) return state
      const {draft, ...rest} = state
      return {...rest, filter: draft.trim(), top: 0, message: draft.trim() ? `Filter: ${draft.trim()}` : 'Filter cleared.'}
    }
    case 'filter-cancel': {
      if (state.draft === undefined) return state.filter ? {...state, filter: '', top: 0, message: 'Filter cleared.'} : state
      const {draft: _draft, ...rest} = state
      return {...rest, top: 0}
    }
    case 'show': {
      const show = {...state.show, [action.change]: !state.show[action.change]}
      return {...state, show, top: 0, message: `${action.change} ${show[action.change] ? 'shown' : 'hidden'}`}
    }
    case 'layer': {
      const layer = Math.min(Math.max(state.layer + action.delta, 0), state.layerCount - 1)
      return layer === state.layer ? state : {...state, layer, top: 0, message: `Layer ${layer}`}
    }
    case 'next-component': {
      if (state.components.length === 0) return {...state, message: 'No expected components in this tree.'}
      const current = state.components.indexOf(state.cursorPath ?? '')
      const count = state.components.length
      const next = current === -1 ? (action.delta === 1 ? 0 : count - 1) : (current + action.delta + count) % count
      const path = state.components[next] as string
      const expanded = new Set(state.expanded)
      for (const a of ancestors(path)) expanded.add(a)
      // The row index is only known once the caller flattens again; scroll when it is (`settle`).
      return {...state, expanded, cursorPath: path, filter: '', message: `Component ${next + 1} of ${count}: /${path}`}
    }
    case 'open-start':
      return {...state, open: {path: action.path, scroll: 0}}
    case 'open-done':
      if (state.open?.path !== action.path) return state
      return {...state, open: {path: action.path, scroll: 0, ...(action.text === undefined ? {} : {text: action.text}), ...(action.error ? {error: action.error} : {})}}
    case 'open-scroll':
      return state.open ? {...state, open: {...state.open, scroll: Math.max(0, state.open.scroll + action.delta)}} : state
    case 'close-file': {
      const {open: _open, ...rest} = state
      return rest
    }
    case 'message':
      return {...state, message: action.text}
    case 'settle':
      return settle(state, rows, height)
  }
}

/** After the rows were rebuilt (a jump, a layer change): scroll so the cursor shows. */
export function settle(state: ExplorerState, rows: readonly TreeRow[], height: number): ExplorerState {
  const index = cursorIndex(state, rows)
  if (index < 0) return state
  const next = scrolled(state, index, height)
  return next.top === state.top ? state : next
}
