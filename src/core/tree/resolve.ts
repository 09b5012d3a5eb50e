import type {FileTree} from './file-tree.js'
import {KIND} from './types.js'

/** Up to this many symlinks are followed, as Linux does (ELOOP after 40). */
const MAX_HOPS = 40

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.')
}

/**
Finds a path in the merged tree the way the kernel would inside the container: every symlink on the
way is followed (`/lib` → `usr/lib` on merged-/usr systems such as Wolfi), the last one only when
`followLast`. Returns the node, or undefined when the path does not exist.
*/
export function resolvePath(tree: FileTree, path: string, followLast = true): number | undefined {
  let pending = split(path)
  const stack: number[] = [0]
  let hops = 0
  while (pending.length > 0) {
    const part = pending.shift() as string
    if (part === '..') {
      if (stack.length > 1) stack.pop()
      continue
    }
    const dir = stack[stack.length - 1] as number
    const child = tree.childrenOf(dir).find((k) => tree.names[k] === part && tree.present[k] === 1)
    if (child === undefined) return undefined
    const isLast = pending.length === 0
    if (tree.kinds[child] === KIND.symlink && (!isLast || followLast)) {
      if (++hops > MAX_HOPS) return undefined
      const target = tree.links.get(child) ?? ''
      if (target.startsWith('/')) stack.splice(1)
      pending = [...split(target), ...pending]
      continue
    }
    if (!isLast && tree.kinds[child] !== KIND.dir) return undefined
    stack.push(child)
  }
  return stack[stack.length - 1]
}

/** The absolute path a node stands at after resolution (for messages). */
export function absolutePath(tree: FileTree, node: number): string {
  return `/${tree.pathOf(node)}`
}
