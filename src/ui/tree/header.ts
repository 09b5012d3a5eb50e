import type {Checklist} from '../../core/tree/components.js'
import {formatSize} from '../../core/tree/render.js'
import type {ImageLayers} from '../../core/tree/types.js'

/** The explorer's header, in the parts it is drawn from: the bold name, then what the view shows, then the layer's details. */
export interface ExplorerHeader {
  readonly name: string
  readonly view: string
  readonly detail: string
  /** 2 when the details get a row of their own: beside the rest they would be cut at this width. */
  readonly rows: 1 | 2
}

function layerDetail(layer: ImageLayers['layers'][number] | undefined): string {
  return layer === undefined ? '' : `layer: ${formatSize(layer.bytes)}, ${layer.paths.length} entries, ${layer.key.slice(0, 24)}`
}

/**
The header for layer `index`. Whether the details take a second row is decided from the widest of
all layers, not this one's, so stepping through layers with `[`/`]` never moves the tree up or down.
*/
export function explorerHeader(name: string, image: ImageLayers, index: number, checklist: Checklist | undefined, width: number): ExplorerHeader {
  const missing = checklist ? checklist.items.filter((i) => i.state === 'missing' || i.state === 'empty').length : 0
  const view = ` layer ${index} of ${image.layers.length - 1}${checklist ? ` · ${checklist.items.length - missing}/${checklist.items.length} components (${checklist.eraTitle})` : ''}`
  const widest = Math.max(0, ...image.layers.map((l) => layerDetail(l).length))
  const rows = widest > 0 && name.length + view.length + 3 + widest > width ? 2 : 1
  const detail = layerDetail(image.layers[index])
  return {name, view, detail: detail === '' ? '' : rows === 2 ? detail : ` · ${detail}`, rows}
}
