/** Names the dev build uses for its container, volume and image (`EngineContainerName` in the mage code). */
export const DEV_ENGINE_NAME = 'dagger-engine.dev'
export const DEV_IMAGE_REPO = 'localhost/dagger-engine.dev'
export const DEV_IMAGE_TAG = 'latest'
export const DEV_VOLUME = 'dagger-engine.dev'
export const ENGINE_STATE_DIR = '/var/lib/dagger'
/** Bootstrap engines that the released CLIs start: `dagger-engine-<digest or tag>`. */
export const BOOTSTRAP_PREFIX = 'dagger-engine-'
export const RELEASE_IMAGE_REPO = 'registry.dagger.io/engine'

/** The dev engine's names, with the knobs `hack/build` honours (`_EXPERIMENTAL_DAGGER_DEV_CONTAINER`, `_EXPERIMENTAL_DAGGER_DEV_IMAGE`). */
export interface DevNames {
  readonly container: string
  readonly volume: string
  readonly imageRepo: string
  /** `repo:latest`. */
  readonly image: string
}

export function devNames(env: NodeJS.ProcessEnv): DevNames {
  const container = env._EXPERIMENTAL_DAGGER_DEV_CONTAINER || DEV_ENGINE_NAME
  const imageRepo = (env._EXPERIMENTAL_DAGGER_DEV_IMAGE || DEV_IMAGE_REPO).replace(/:[^/:]+$/, '')
  return {container, volume: container, imageRepo, image: `${imageRepo}:${DEV_IMAGE_TAG}`}
}
