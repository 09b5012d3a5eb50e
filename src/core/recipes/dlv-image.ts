import path from 'node:path'
import type Docker from 'dockerode'
import {withTimeout} from '../docker/client.js'
import {pathExists, withCreatedContainer} from './container-files.js'

export interface DlvImage {
  /** A tag to run it by. */
  readonly image: string
  /** dlv inside the image: an absolute path, or `dlv` when it is the entrypoint on PATH. */
  readonly path: string
  /** Why we think it has Delve. */
  readonly how: string
}

/** Where `go install` and Dockerfiles usually put dlv. */
const DLV_PATHS = ['/usr/local/bin/dlv', '/go/bin/dlv', '/usr/bin/dlv', '/bin/dlv', '/dlv', '/root/go/bin/dlv']
const NAME_HINT = /dlv|delve/i
/** Images we look inside at most, so a machine with hundreds of images stays quick. */
const MAX_PEEKS = 12

/**
Finds a local image with Delve in it; nothing is pulled. Images whose name says dlv or delve, or whose
entrypoint or command runs dlv, come first; then Go toolchain images. Each candidate is confirmed by
finding the dlv file in it.
*/
export async function findDlvImage(docker: Docker, timeoutMs: number): Promise<{found?: DlvImage; looked: number; note: string}> {
  const images = await withTimeout(docker.listImages(), timeoutMs, 'Listing images')
  const tagged = images.flatMap((img) => (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>').slice(0, 1).map((tag) => ({tag, id: img.Id})))
  const scored: {tag: string; id: string; score: number; entry?: string}[] = []
  for (const {tag, id} of tagged) {
    let entry: string | undefined
    let score = NAME_HINT.test(tag) ? 3 : /golang|(^|\/)go[:-]/.test(tag) ? 1 : 0
    try {
      const info = await withTimeout(docker.getImage(id).inspect(), timeoutMs, `Inspecting ${tag}`)
      const argv = [...(info.Config.Entrypoint ?? []), ...(info.Config.Cmd ?? [])]
      entry = argv.find((a) => path.posix.basename(a) === 'dlv')
      if (entry !== undefined) score += 4
    } catch {
      // An image that vanished or cannot be inspected is simply not a candidate.
    }
    if (score > 0) scored.push({tag, id, score, ...(entry === undefined ? {} : {entry})})
  }
  scored.sort((a, b) => b.score - a.score || a.tag.localeCompare(b.tag))
  let looked = 0
  for (const candidate of scored.slice(0, MAX_PEEKS)) {
    looked++
    const paths = candidate.entry !== undefined && candidate.entry.startsWith('/') ? [candidate.entry, ...DLV_PATHS] : DLV_PATHS
    const hit = await withCreatedContainer(docker, candidate.id, timeoutMs, async (cid) => {
      for (const p of paths) if (await pathExists(docker, cid, p, timeoutMs)) return p
      return undefined
    }).catch(() => undefined)
    if (hit !== undefined) return {found: {image: candidate.tag, path: hit, how: `${hit} exists in ${candidate.tag}`}, looked, note: `found ${hit} in ${candidate.tag}`}
    if (candidate.entry !== undefined && !candidate.entry.startsWith('/')) {
      return {found: {image: candidate.tag, path: candidate.entry, how: `the image runs ${candidate.entry} from its PATH`}, looked, note: `${candidate.tag} runs dlv`}
    }
  }
  const note = tagged.length === 0 ? 'there are no tagged images on this machine' : `none of the ${tagged.length} local images has dlv (${looked} looked into)`
  return {looked, note}
}
