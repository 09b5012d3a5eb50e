/** Shapes shared by the image reader, the merged tree, the component checker and the explorer. */

/** File kinds as stored in the compact columns (a number per entry keeps 100k entries cheap). */
export const KIND = {file: 0, dir: 1, symlink: 2, hardlink: 3, char: 4, block: 5, fifo: 6} as const
export type KindName = keyof typeof KIND
export type KindCode = (typeof KIND)[KindName]
export const KIND_NAMES: readonly KindName[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo']

/** Change of a path in the layer being viewed, relative to the layers below it. */
export const CHANGE = {none: 0, added: 1, modified: 2, removed: 3} as const
export type ChangeName = keyof typeof CHANGE
export type ChangeCode = (typeof CHANGE)[ChangeName]
export const CHANGE_NAMES: readonly ChangeName[] = ['none', 'added', 'modified', 'removed']

/** How the layer blob travelled inside the archive. */
export type LayerCompression = 'none' | 'gzip' | 'zstd'

/**
One layer as read from its tar: entries in columns rather than objects, whiteouts and opaque
directories kept apart, since they only act on the layers below.
*/
export interface LayerData {
  /** Where it came from inside the archive: a digest (`sha256:…`) or a classic path (`<id>/layer.tar`). */
  readonly key: string
  readonly compression: LayerCompression
  /** Normalised paths: no leading `./` or `/`, no trailing `/`. */
  readonly paths: readonly string[]
  readonly kinds: Uint8Array
  /** Permission and special bits (07777). */
  readonly modes: Uint32Array
  readonly uids: Uint32Array
  readonly gids: Uint32Array
  readonly sizes: Float64Array
  /** Entry index to link target: a symlink's text, or a hard link's normalised path. */
  readonly links: ReadonlyMap<number, string>
  /** Paths hidden by `.wh.<name>` in this layer. */
  readonly whiteouts: readonly string[]
  /** Directories whose lower contents `.wh..wh..opq` hides. */
  readonly opaques: readonly string[]
  /** Content heads kept while streaming, for the paths asked for (config, entrypoint, package db). */
  readonly captured: ReadonlyMap<string, Buffer>
  /** Sum of the regular files' sizes in this layer. */
  readonly bytes: number
}

/** Where the archive came from. */
export type ArchiveLayout = 'docker-classic' | 'oci' | 'container-export'

/** Image config fields the checker uses (from the archive's config blob or the inspect call). */
export interface ImageConfigSummary {
  readonly entrypoint?: readonly string[]
  readonly cmd?: readonly string[]
  readonly env?: readonly string[]
  readonly architecture?: string
  readonly os?: string
}

/** An image or container filesystem read layer by layer, bottom first. */
export interface ImageLayers {
  readonly layout: ArchiveLayout
  readonly layers: readonly LayerData[]
  readonly config?: ImageConfigSummary
  /** Repo tags found in the archive. */
  readonly tags: readonly string[]
}
