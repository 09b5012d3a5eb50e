import {execa, type ResultPromise} from 'execa'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin', 'dagger-explore.js')

/** Runs the real, built binary (npm test builds it first) with the Node running the tests. */
export function cli(args: readonly string[], options: {env?: NodeJS.ProcessEnv; input?: string; timeout?: number} = {}): ResultPromise<{reject: false}> {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    timeout: options.timeout ?? 30_000,
    env: {...process.env, CI: '', NO_COLOR: '', FORCE_COLOR: '', ...options.env},
    extendEnv: false,
    ...(options.input === undefined ? {stdin: 'ignore'} : {input: options.input}),
  }) as ResultPromise<{reject: false}>
}
