/** Names the dev build uses for its container, volume and image (`EngineContainerName` in the mage code). */
export const DEV_ENGINE_NAME = 'dagger-engine.dev'
export const DEV_IMAGE_REPO = 'localhost/dagger-engine.dev'
export const DEV_IMAGE_TAG = 'latest'
export const DEV_VOLUME = 'dagger-engine.dev'
export const ENGINE_STATE_DIR = '/var/lib/dagger'
/** Bootstrap engines that the released CLIs start: `dagger-engine-<digest or tag>`. */
export const BOOTSTRAP_PREFIX = 'dagger-engine-'
export const RELEASE_IMAGE_REPO = 'registry.dagger.io/engine'
