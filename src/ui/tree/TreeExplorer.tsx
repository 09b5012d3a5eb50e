import {Box, Text, useInput} from 'ink'
import {useEffect, useMemo, useReducer, useRef, useState} from 'react'
import {errorText} from '../../core/errors.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import type {Checklist} from '../../core/tree/components.js'
import {
  cursorIndex,
  explorerRows,
  initialExplorerState,
  reduceExplorer,
  settle,
  type ExplorerAction,
  type ExplorerState,
} from '../../core/tree/explorer-state.js'
import {exportContent, writeTreeExport, type ExportFormat} from '../../core/tree/export-file.js'
import type {FileTree} from '../../core/tree/file-tree.js'
import {mergeLayers} from '../../core/tree/merge.js'
import {sanitizeName, type TreeRow} from '../../core/tree/render.js'
import type {ImageLayers} from '../../core/tree/types.js'
import {cutRow, shiftBy, sideways, widestOf} from '../../core/present/sideways.js'
import {FILE_HINTS, footerLine, TREE_HINTS} from './footer.js'
import {explorerHeader, headerRows} from './header.js'

export interface TreeExplorerProps {
  /** The image or container as read, layer by layer. */
  readonly image: ImageLayers
  /** The merged view of every layer (built from `image` when absent). */
  readonly tree?: FileTree
  /** The checklist: its components are marked and `n` jumps between them. */
  readonly checklist?: Checklist
  /** Shown in the header and in exports. */
  readonly name?: string
  /** Rows the whole view takes (header, legend, tree, footer): it never draws more. */
  readonly height?: number
  readonly width?: number
  /** Whether this view takes keys. */
  readonly active?: boolean
  /** Reads the first part of a file (`o`); without it files cannot be opened. */
  readonly readFile?: (path: string) => Promise<string | undefined>
  /** Saves an export and says where (`x` text, `J` JSON); by default a file in `exportDir`. */
  readonly onExport?: (format: ExportFormat, content: string) => Promise<string>
  readonly exportDir?: string
  /** `q` or Esc when nothing else is open. */
  readonly onClose?: () => void
}

const CHANGE_COLOR = {added: 'green', modified: 'yellow', removed: 'red', none: undefined} as const
const CHANGE_MARK = {added: '+', modified: '~', removed: '-', none: ' '} as const
/** The legend names each change by the glyph its rows carry, so it reads without colour. */
const LEGEND = [
  ['a', 'added', '+ '],
  ['m', 'modified', '~ '],
  ['r', 'removed', '- '],
  ['u', 'unmodified', ''],
] as const
/** Header, legend and footer: the tree gets the rest. */
const CHROME_ROWS = 3

function Row({row, selected, component, width}: {readonly row: TreeRow; readonly selected: boolean; readonly component: boolean; readonly width: number}) {
  const fold = row.isDir && row.hasChildren ? (row.expanded ? '▾ ' : '▸ ') : '  '
  const link = row.link === undefined ? '' : row.kind === 'hardlink' ? ` => /${sanitizeName(row.link)}` : ` -> ${sanitizeName(row.link)}`
  // The cursor is a glyph as well as inverse video: NO_COLOR terminals and screen readers keep it.
  const head = `${selected ? '▶' : ' '}${CHANGE_MARK[row.change]} ${row.mode}  ${row.owner.padStart(9)}  ${row.size.padStart(8)}  `
  const name = `${row.prefix}${fold}${sanitizeName(row.name)}${link}`
  const room = Math.max(10, width - head.length)
  const color = CHANGE_COLOR[row.change]
  return (
    <Text wrap="truncate-end" inverse={selected} {...(color ? {color} : {})}>
      {head}
      <Text bold={component} {...(component && !color ? {color: 'cyan'} : {})}>
        {cutRow(name, room).text}
      </Text>
    </Text>
  )
}

function FileView({open, height, width, shift}: {readonly open: NonNullable<ExplorerState['open']>; readonly height: number; readonly width: number; readonly shift: number}) {
  const lines = open.text === undefined ? [] : sanitize(open.text).split('\n')
  const room = height - 2 - (open.error ? 1 : 0)
  const shown = lines.slice(open.scroll, open.scroll + Math.max(1, room))
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        /{sanitize(open.path)} {open.text === undefined && !open.error ? '(reading…)' : `(${lines.length} lines shown of the first part)`}
      </Text>
      {open.error ? <Text color="red" wrap="truncate-end">{open.error}</Text> : null}
      <Box flexDirection="column" flexGrow={1}>
        {shown.map((line, i) => (
          <Text key={i} wrap="truncate-end">
            {sideways(line, shift, width).text || ' '}
          </Text>
        ))}
      </Box>
      <Text dimColor wrap="truncate-end">
        {footerLine(`${open.scroll + 1}/${Math.max(1, lines.length)}`, FILE_HINTS, 'q or Esc back to the tree', width)}
      </Text>
    </Box>
  )
}

/**
A dive-like explorer of an image's filetree: rows of mode, uid:gid, size and tree, changes of the
viewed layer in colour, expected components in bold. All logic lives in `explorer-state.ts`.
*/
export function TreeExplorer({image, tree: topTree, checklist, name = 'image', height: total = 20, width = 120, active = true, readFile, onExport, exportDir = process.cwd(), onClose}: TreeExplorerProps) {
  // The rows of tree (or of an open file) the window shows at once.
  const headRows = useMemo(() => headerRows(sanitize(name), image, checklist, width), [name, image, checklist, width])
  const height = Math.max(1, total - CHROME_ROWS - (headRows - 1))
  const [shift, setShift] = useState(0)
  const top = useMemo(() => topTree ?? mergeLayers(image.layers), [topTree, image])
  const trees = useRef(new Map<number, FileTree>())
  const [state, dispatchRaw] = useReducer(
    (s: ExplorerState, a: {action: ExplorerAction; ctx: {tree: FileTree; rows: readonly TreeRow[]; height: number}}) => reduceExplorer(s, a.action, a.ctx),
    undefined,
    () => initialExplorerState(top, checklist?.items),
  )
  const tree = useMemo(() => {
    if (state.layer === top.viewLayer) return top
    const cached = trees.current.get(state.layer)
    if (cached) return cached
    const built = mergeLayers(image.layers, state.layer)
    trees.current.set(state.layer, built)
    return built
  }, [state.layer, top, image])
  const rows = useMemo(() => explorerRows(tree, state), [tree, state.expanded, state.filter, state.draft, state.show])
  const view = settle(state, rows, height)
  const dispatch = (action: ExplorerAction): void => dispatchRaw({action, ctx: {tree, rows, height}})
  const components = useMemo(() => new Set(state.components), [state.components])

  // A jump or a layer change moved the cursor somewhere the window does not show yet.
  useEffect(() => {
    if (view !== state) dispatch({type: 'settle'})
  })

  const open = async (path: string): Promise<void> => {
    dispatch({type: 'open-start', path})
    if (!readFile) {
      dispatchRaw({action: {type: 'open-done', path, error: 'Opening files is not available here.'}, ctx: {tree, rows, height}})
      return
    }
    try {
      const text = await readFile(`/${path}`)
      dispatchRaw({action: text === undefined ? {type: 'open-done', path, error: 'The file is not in this image.'} : {type: 'open-done', path, text}, ctx: {tree, rows, height}})
    } catch (error) {
      dispatchRaw({action: {type: 'open-done', path, error: sanitize(errorText(error))}, ctx: {tree, rows, height}})
    }
  }

  const exportAs = async (format: ExportFormat): Promise<void> => {
    dispatch({type: 'message', text: `Exporting ${format}…`})
    try {
      const where = onExport ? await onExport(format, exportContent(format, image, tree, name)) : await writeTreeExport(exportDir, format, image, tree, name)
      dispatchRaw({action: {type: 'message', text: `Exported to ${where}`}, ctx: {tree, rows, height}})
    } catch (error) {
      dispatchRaw({action: {type: 'message', text: `Export failed: ${errorText(error)}`}, ctx: {tree, rows, height}})
    }
  }

  useInput(
    (input, key) => {
      if (state.open) {
        const widest = () => widestOf(sanitize(state.open?.text ?? '').split('\n'))
        if (key.escape || input === 'q') {
          setShift(0)
          dispatch({type: 'close-file'})
        } else if (key.rightArrow || input === 'l') setShift((o) => shiftBy(o, 1, width, widest()))
        else if (key.leftArrow || input === 'h') setShift((o) => shiftBy(o, -1, width, widest()))
        else if (key.home || input === 'g') dispatch({type: 'open-scroll', delta: -Number.MAX_SAFE_INTEGER})
        else if (key.downArrow || input === 'j') dispatch({type: 'open-scroll', delta: 1})
        else if (key.upArrow || input === 'k') dispatch({type: 'open-scroll', delta: -1})
        else if (key.pageDown) dispatch({type: 'open-scroll', delta: height})
        else if (key.pageUp) dispatch({type: 'open-scroll', delta: -height})
        return
      }
      if (state.draft !== undefined) {
        if (key.return) dispatch({type: 'filter-commit'})
        else if (key.escape) dispatch({type: 'filter-cancel'})
        else if (key.backspace || key.delete) dispatch({type: 'filter-backspace'})
        else if (input && !key.ctrl) dispatch({type: 'filter-input', text: input})
        return
      }
      const row = rows[cursorIndex(view, rows)]
      if (key.upArrow || input === 'k') dispatch({type: 'move', delta: -1})
      else if (key.downArrow || input === 'j') dispatch({type: 'move', delta: 1})
      else if (key.pageUp) dispatch({type: 'move', delta: -height})
      else if (key.pageDown) dispatch({type: 'move', delta: height})
      else if (key.home || input === 'g') dispatch({type: 'home'})
      else if (key.end || input === 'G') dispatch({type: 'end'})
      else if (input === ' ') dispatch({type: 'toggle'})
      else if (key.rightArrow || input === 'l') dispatch({type: 'expand'})
      else if (key.leftArrow || input === 'h') dispatch({type: 'collapse'})
      else if (input === 'c') dispatch({type: 'collapse-all'})
      else if (input === 'e') dispatch({type: 'expand-all'})
      else if (input === '/') dispatch({type: 'filter-start'})
      else if (input === 'a') dispatch({type: 'show', change: 'added'})
      else if (input === 'm') dispatch({type: 'show', change: 'modified'})
      else if (input === 'r') dispatch({type: 'show', change: 'removed'})
      else if (input === 'u') dispatch({type: 'show', change: 'unmodified'})
      else if (input === ']') dispatch({type: 'layer', delta: 1})
      else if (input === '[') dispatch({type: 'layer', delta: -1})
      else if (input === 'n') dispatch({type: 'next-component', delta: 1})
      else if (input === 'N') dispatch({type: 'next-component', delta: -1})
      else if (key.return && row?.isDir) dispatch({type: 'toggle'})
      else if ((input === 'o' || key.return) && row && !row.isDir) void open(row.path)
      else if (input === 'x') void exportAs('text')
      else if (input === 'J') void exportAs('json')
      else if ((input === 'q' || key.escape) && view.filter) dispatch({type: 'filter-cancel'})
      else if (input === 'q' || key.escape) onClose?.()
    },
    {isActive: active},
  )

  if (view.open) return <FileView open={view.open} height={total} width={width} shift={shift} />

  const index = cursorIndex(view, rows)
  const shown = rows.slice(view.top, view.top + height)
  const head = explorerHeader(sanitize(name), image, view.layer, checklist, headRows)
  const wide = `${LEGEND.map(([k, change, glyph]) => `${k} ${glyph}${view.show[change] ? '■' : '□'} ${change}`).join('  ')}  [ ] layer`
  // Under 70 columns the legend packs tighter, so the layer keys stay on screen.
  const legend = wide.length <= width ? wide : `${LEGEND.map(([k, change, glyph]) => `${k}${glyph.trim()}${view.show[change] ? '■' : '□'} ${change}`).join(' ')} [ ] layer`
  const filter = view.draft !== undefined ? `/${view.draft}▌` : view.filter ? `filter: ${view.filter}` : ''
  const position = `${rows.length > 0 ? `${index + 1}/${rows.length}` : '0/0'}${view.message ? ` · ${sanitize(view.message)}` : ''}`
  return (
    <Box flexDirection="column" width={width} height={total} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold>{head.name}</Text>
        {head.view}
        {headRows === 1 ? head.detail : ''}
      </Text>
      {headRows === 2 ? <Text wrap="truncate-end">{head.detail || ' '}</Text> : null}
      <Text dimColor wrap="truncate-end">
        {filter ? `${filter}   ` : ''}
        {legend}
      </Text>
      <Box flexDirection="column" flexGrow={1}>
        {shown.length === 0 ? <Text dimColor>(nothing to show with these filters)</Text> : null}
        {shown.map((row, i) => (
          <Row key={row.path} row={row} selected={view.top + i === index} component={components.has(row.path)} width={width} />
        ))}
      </Box>
      <Text dimColor wrap="truncate-end">
        {footerLine(position, TREE_HINTS, 'q close', width)}
      </Text>
    </Box>
  )
}
