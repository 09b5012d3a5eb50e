/**
Free space on Docker's data-root against what the engine's cache garbage collector keeps. The
engine's defaults (BuildKit's): keep at least 20% of the disk free (minFreeSpace), use at most 75%
(maxUsedSpace), always keep 10% for itself (reservedSpace, at most 10 GB). With less free than
that, the engine evicts its cache all the time (every build starts cold) or the disk fills.
*/
import type {Finding} from '../types.js'

export const GC_MIN_FREE_SHARE = 0.2
export const GC_RESERVED_SHARE = 0.1
export const GC_RESERVED_MAX = 10 * 1e9

export interface DiskFacts {
  readonly path: string
  readonly totalBytes: number
  readonly freeBytes: number
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`
}

export function dataRootFinding(d: DiskFacts): Finding {
  const share = d.totalBytes > 0 ? d.freeBytes / d.totalBytes : 0
  const reserved = Math.min(GC_RESERVED_MAX, d.totalBytes * GC_RESERVED_SHARE)
  const summary = `${gb(d.freeBytes)} free of ${gb(d.totalBytes)} (${Math.round(share * 100)}%) on ${d.path}`
  if (d.freeBytes < reserved) {
    return {
      id: 'data-root-disk-full',
      status: 'fail',
      title: `Docker's data-root is nearly full: ${summary}`,
      detail: `That is less than the ${gb(reserved)} the engine's cache keeps for itself (10% of the disk, at most 10 GB): a build will stop with "no space left on device".`,
      fix: 'Free space: `docker system df -v` shows what holds it; remove old dagger-engine-* containers and their volumes (the clean-old-engines recipe), `docker image prune`, or grow the VM disk.',
      recipe: 'clean-old-engines',
    }
  }
  if (share < GC_MIN_FREE_SHARE) {
    return {
      id: 'data-root-disk-low',
      status: 'warn',
      title: `Less free space on Docker's data-root than the engine's cache GC keeps free: ${summary}`,
      detail: `The engine's garbage collector tries to keep ${Math.round(GC_MIN_FREE_SHARE * 100)}% of the disk free, so below that it evicts its cache at once and builds run cold; several engines on one disk each aim at their own share.`,
      fix: 'Free space (the clean-old-engines recipe, `docker image prune`) or move Docker\'s data-root to a larger disk.',
      recipe: 'clean-old-engines',
    }
  }
  return {id: 'data-root-disk-ok', status: 'pass', title: `Docker data-root: ${summary}`}
}
