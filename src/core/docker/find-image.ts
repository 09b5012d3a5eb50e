import type Docker from 'dockerode'
import {withDeadline} from '../deadline.js'

type ImageInfo = Awaited<ReturnType<Docker.Image['inspect']>>

function notFound(error: unknown): boolean {
  return (error as {statusCode?: unknown}).statusCode === 404
}

/**
Inspects an image by name or ID the way `docker image inspect` would, plus one fallback the
containerd image store needs. Docker 26 with the containerd store, loading an OCI archive whose
`io.containerd.image.name` is not a normalized reference (`team/app:v1` rather than
`docker.io/team/app:v1`), stores and lists it under that raw name (`docker load` prints
"Loaded image: team/app:v1", `GET /images/json` lists it in RepoTags) while every lookup by that
name answers 404 "No such image". The image is then found through the listing, by exact RepoTag,
and inspected by its ID. Errors other than 404 are thrown as the daemon gave them.
*/
export async function inspectImage(docker: Docker, ref: string, timeoutMs: number): Promise<ImageInfo> {
  const bounded = <T>(p: Promise<T>, what: string) => withDeadline(p, timeoutMs, () => new Error(`${what} took longer than ${Math.round(timeoutMs / 1000)} s`))
  try {
    return await bounded(docker.getImage(ref).inspect(), `Inspecting image ${ref}`)
  } catch (error) {
    if (!notFound(error) || ref.startsWith('sha256:')) throw error
    const listed = await bounded(docker.listImages(), 'Listing images').catch(() => [])
    const match = listed.find((image) => image.RepoTags?.includes(ref))
    if (match === undefined) throw error
    return bounded(docker.getImage(match.Id).inspect(), `Inspecting image ${match.Id}`)
  }
}
