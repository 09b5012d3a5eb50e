import type {Checklist} from '../../core/tree/components.js'
import {formatSize} from '../../core/tree/render.js'
import type {ImageLayers} from '../../core/tree/types.js'

/** The explorer's header, in the parts it is drawn from: the bold name, then what the view shows, then the layer's details. */
export interface ExplorerHeader {
  readonly name: string
  readonly view: string
  readonly detail: string
}

function layerDetail(layer: ImageLayers['layers'][number] | undefined): string {
  return layer === undefined ? '' : `layer: ${formatSize(layer.bytes)}, ${layer.paths.length} entries, ${layer.key.slice(0, 24)}`
}

function viewText(image: ImageLayers, index: number, checklist: Checklist | undefined): string {
  const missing = checklist ? checklist.items.filter((i) => i.state === 'missing' || i.state === 'empty').length : 0
  return ` layer ${index} of ${image.layers.length - 1}${checklist ? ` · ${checklist.items.length - missing}/${checklist.items.length} components (${checklist.eraTitle})` : ''}`
}

/**
How many rows the header takes: 2 when some layer's details would be cut beside the rest at this
width. Decided for the widest layer (and the widest layer number), not the one shown, so stepping
through layers with `[`/`]` never moves the tree up or down.
*/
export function headerRows(name: string, image: ImageLayers, checklist: Checklist | undefined, width: number): 1 | 2 {
  const widest = Math.max(0, ...image.layers.map((l) => layerDetail(l).length))
  const view = viewText(image, Math.max(0, image.layers.length - 1), checklist)
  return widest > 0 && name.length + view.length + 3 + widest > width ? 2 : 1
}

/** The header for layer `index`, laid out in `rows` (from headerRows). */
export function explorerHeader(name: string, image: ImageLayers, index: number, checklist: Checklist | undefined, rows: 1 | 2): ExplorerHeader {
  const detail = layerDetail(image.layers[index])
  return {name, view: viewText(image, index, checklist), detail: detail === '' || rows === 2 ? detail : ` · ${detail}`}
}
