import {readFileSync} from 'node:fs'

declare const __DAGGER_EXPLORE_VERSION__: string | undefined

/** Injected by the bundler; read from package.json when running from source (tests). */
export const VERSION: string =
  typeof __DAGGER_EXPLORE_VERSION__ === 'string'
    ? __DAGGER_EXPLORE_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}).version
