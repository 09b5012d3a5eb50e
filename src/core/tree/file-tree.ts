import {CHANGE, KIND, type ChangeCode, type KindCode} from './types.js'

/**
The merged filesystem as of one layer, in columns indexed by node number (node 0 is `/`). Nodes
removed by the viewed layer stay in the tree, marked `removed` and not `present`, so the explorer
can show them the way dive does.
*/
export class FileTree {
  readonly names: string[] = ['']
  readonly parents: number[] = [-1]
  readonly kinds: KindCode[] = [KIND.dir]
  readonly modes: number[] = [0o755]
  readonly uids: number[] = [0]
  readonly gids: number[] = [0]
  readonly sizes: number[] = [0]
  /** Index of the layer that last wrote the node. */
  readonly layers: number[] = [0]
  readonly changes: ChangeCode[] = [CHANGE.none]
  /** 1 when the node exists in the merged view, 0 when the viewed layer removed it. */
  readonly present: number[] = [1]
  readonly links = new Map<number, string>()
  readonly children: (number[] | undefined)[] = [[]]
  /** For directories: bytes of the regular files below; for files: their size. */
  totals: Float64Array = new Float64Array(0)
  /** Path → node, for nodes still in the tree. */
  private readonly index = new Map<string, number>([['', 0]])

  constructor(
    /** The layer this view shows: merged content of layers 0…viewLayer, changes of viewLayer. */
    readonly viewLayer: number,
    readonly layerCount: number,
  ) {}

  get size(): number {
    return this.names.length
  }

  lookup(path: string): number | undefined {
    return this.index.get(path.replace(/^\/+/, '').replace(/\/+$/, ''))
  }

  /** The node at `path` when it exists in the merged view (not removed). */
  find(path: string): number | undefined {
    const node = this.lookup(path)
    return node !== undefined && this.present[node] === 1 ? node : undefined
  }

  pathOf(node: number): string {
    const parts: string[] = []
    for (let n = node; n > 0; n = this.parents[n] ?? 0) parts.push(this.names[n] ?? '')
    return parts.reverse().join('/')
  }

  childrenOf(node: number): readonly number[] {
    return this.children[node] ?? []
  }

  isDir(node: number): boolean {
    return this.kinds[node] === KIND.dir
  }

  depthOf(node: number): number {
    let depth = 0
    for (let n = node; n > 0; n = this.parents[n] ?? 0) depth++
    return depth
  }

  /** Present nodes, parents before children, children in name order. */
  *walk(from = 0, includeRemoved = false): Generator<number> {
    const stack = [from]
    while (stack.length > 0) {
      const node = stack.pop() as number
      if (!includeRemoved && this.present[node] !== 1) continue
      yield node
      const kids = this.children[node]
      if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as number)
    }
  }

  /** @internal used by the merge */
  create(path: string, name: string, parent: number): number {
    const node = this.names.length
    this.names.push(name)
    this.parents.push(parent)
    this.kinds.push(KIND.dir)
    this.modes.push(0o755)
    this.uids.push(0)
    this.gids.push(0)
    this.sizes.push(0)
    this.layers.push(0)
    this.changes.push(CHANGE.none)
    this.present.push(1)
    this.children.push(undefined)
    const siblings = this.children[parent]
    if (siblings) siblings.push(node)
    else this.children[parent] = [node]
    this.index.set(path, node)
    return node
  }

  /** @internal drops a subtree for good (removed by a layer below the viewed one). */
  drop(node: number, path: string): void {
    const parent = this.parents[node] ?? 0
    const siblings = this.children[parent]
    if (siblings) {
      const at = siblings.indexOf(node)
      if (at !== -1) siblings.splice(at, 1)
    }
    const stack: [number, string][] = [[node, path]]
    while (stack.length > 0) {
      const [n, p] = stack.pop() as [number, string]
      this.index.delete(p)
      this.present[n] = 0
      for (const kid of this.children[n] ?? []) stack.push([kid, `${p}/${this.names[kid]}`])
    }
  }

  /** @internal marks a subtree removed by the viewed layer, keeping it visible. */
  markRemoved(node: number): void {
    for (const n of this.walk(node, true)) {
      this.present[n] = 0
      this.changes[n] = CHANGE.removed
    }
  }

  /** @internal sorts children and adds up directory sizes once all layers are applied. */
  finish(): void {
    const totals = new Float64Array(this.names.length)
    const order: number[] = []
    for (const node of this.walk(0, true)) order.push(node)
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i] as number
      const kids = this.children[node]
      if (kids && kids.length > 1) kids.sort((a, b) => compareNames(this.names[a] ?? '', this.names[b] ?? ''))
      if (this.kinds[node] === KIND.file) totals[node] = this.sizes[node] ?? 0
      else if (kids) {
        let sum = 0
        for (const kid of kids) if (this.present[kid] === 1 || this.present[node] !== 1) sum += totals[kid] ?? 0
        totals[node] = sum
      }
    }
    this.totals = totals
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
