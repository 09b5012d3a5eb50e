/**
Free space and filesystem type under the daemon's data-root. The Dagger engine keeps its cache in a
volume there, and a dev build fills tens of gigabytes; overlay under data-root breaks overlay2.
*/
import {statfs} from 'node:fs/promises'
import type {ConfigFinding} from './finding.js'

export interface DiskSpace {
  readonly path: string
  readonly freeBytes: number
  readonly totalBytes: number
  readonly fsType: string
}

/** statfs f_type magic numbers for the filesystems that matter here. */
const FS_TYPES: Readonly<Record<number, string>> = {
  0x794c7630: 'overlay',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x2fc12fc1: 'zfs',
  0x6a656a63: 'fakeowner',
  0x65735546: 'fuse',
  0x6969: 'nfs',
}

export async function dataRootSpace(dataRoot: string): Promise<DiskSpace> {
  const s = await statfs(dataRoot)
  return {
    path: dataRoot,
    freeBytes: Number(s.bavail) * Number(s.bsize),
    totalBytes: Number(s.blocks) * Number(s.bsize),
    fsType: FS_TYPES[Number(s.type)] ?? `0x${Number(s.type).toString(16)}`,
  }
}

const GiB = 1024 ** 3

export function formatBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`
  return `${(n / 1024 ** 2).toFixed(0)} MiB`
}

/** Below this a dev build (engine image, Go caches, build cache) is likely to run out. */
export const WARN_FREE_BYTES = 20 * GiB
export const FAIL_FREE_BYTES = 2 * GiB

export function spaceFindings(space: DiskSpace): ConfigFinding[] {
  const free = formatBytes(space.freeBytes)
  if (space.freeBytes < FAIL_FREE_BYTES) {
    return [
      {
        id: 'data-root-full',
        status: 'fail',
        key: 'data-root',
        title: `Only ${free} free under ${space.path}`,
        detail: `The daemon's data-root has ${free} free of ${formatBytes(space.totalBytes)}. Loading the dev engine image alone needs more; pulls and builds fail with "no space left on device", sometimes as misleading EOF or extraction errors.`,
        fix: 'Free space: `docker system df` shows what uses it; `docker builder prune` and removing old dagger-engine containers and their volumes (`docker volume ls`) usually recover the most. Or move data-root to a larger disk.',
      },
    ]
  }
  if (space.freeBytes < WARN_FREE_BYTES) {
    return [
      {
        id: 'data-root-low',
        status: 'warn',
        key: 'data-root',
        title: `${free} free under ${space.path}`,
        detail: `The daemon's data-root has ${free} free of ${formatBytes(space.totalBytes)}. A Dagger dev build keeps its engine state volume there and it grows by many gigabytes (images, Go module and build caches); under 20 GiB a full build can run out midway.`,
        fix: 'Free space before building: `docker system df`, `docker builder prune`, and remove stale dagger-engine containers and volumes.',
      },
    ]
  }
  return []
}
