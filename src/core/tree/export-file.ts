import {mkdir} from 'node:fs/promises'
import path from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type {FileTree} from './file-tree.js'
import {treeJson, treeText} from './render.js'
import type {ImageLayers} from './types.js'

export type ExportFormat = 'text' | 'json'

/** The content of an export: the whole tree (every folder open) as text, or the JSON document. */
export function exportContent(format: ExportFormat, image: ImageLayers, tree: FileTree, name: string): string {
  return format === 'json' ? `${JSON.stringify(treeJson(image, tree, {target: name}), null, 2)}\n` : `${name}, layer ${tree.viewLayer}\n${treeText(tree, {withChanges: true})}`
}

/** Writes an export next to the session notes (or wherever asked) and returns its path. */
export async function writeTreeExport(dir: string, format: ExportFormat, image: ImageLayers, tree: FileTree, name: string, now = new Date()): Promise<string> {
  await mkdir(dir, {recursive: true})
  const file = path.join(dir, `tree-${now.toISOString().replace(/[:.]/g, '-')}.${format === 'json' ? 'json' : 'txt'}`)
  await writeFileAtomic(file, exportContent(format, image, tree, name))
  return file
}
