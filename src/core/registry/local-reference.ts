import {parseReference, ImageReferenceError, visibleControls} from './reference.js'

export {visibleControls}

/**
Checks a name the user gave for a local image or container against Docker's own grammar before it
goes into an API path: a container name (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), a container or image ID
(a hex prefix, optionally `sha256:`), or an image reference (distribution/reference: lowercase path
components, a name of at most 255 characters, a tag, a sha256/sha384/sha512 digest). `..`, `/`,
`%2e%2e` or an empty name would otherwise become another API path (`GET /containers/../../_ping`)
and Docker's redirect would send the client to a host called "containers".
*/

const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
/** Docker caps image names at 255 characters; a longer container name is no name a user typed. */
const NAME_MAX = 255
const HEX_ID = /^(?:sha256:)?[a-f0-9]{1,64}$/

/** A name as messages show it: controls visible, and a 10,000-character name cut to its start. */
export function shownName(text: string): string {
  const visible = visibleControls(text)
  return visible.length > 120 ? `${visible.slice(0, 100)}… (${text.length} characters)` : visible
}

/** What to do about a name localReferenceProblem refuses. */
export const LOCAL_REFERENCE_FIX = 'Give an image as `docker images` lists it (e.g. localhost/dagger-engine.dev:latest) or a container from `docker ps -a` (e.g. dagger-engine.dev).'

/** undefined when `ref` is a valid container name, ID or image reference; otherwise why it is none (LOCAL_REFERENCE_FIX says what to do). */
export function localReferenceProblem(ref: string): string | undefined {
  if (ref.trim() === '') return 'An empty name was given.'
  if (ref.length <= NAME_MAX && (CONTAINER_NAME.test(ref) || HEX_ID.test(ref))) return undefined
  try {
    parseReference(ref)
    return undefined
  } catch (error) {
    const why = error instanceof ImageReferenceError ? error.message.replace(/^"[^]*?"\s*/, '') : String(error)
    return `"${shownName(ref)}" is neither a container name nor an image reference (${why.replace(/\.$/, '')}).`
  }
}
