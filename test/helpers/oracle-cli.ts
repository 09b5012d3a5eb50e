import {existsSync} from 'node:fs'
import path from 'node:path'
import {lab} from '../lab/lab.js'

/**
The docker CLI the endpoint tests take as their oracle: trixie's docker-cli 26.1, which test/lab/up.sh
unpacks beside dockerd 26.1, so every machine compares with the same current CLI whatever CLI it has of
its own (Debian 12's is 20.10).
*/
export function oracleDockerCli(): string {
  for (const engine of lab().engines) {
    for (const dir of engine.binDirs ?? []) {
      const cli = path.join(dir, 'docker')
      if (existsSync(cli)) return cli
    }
  }
  throw new Error("The lab's docker CLI 26.1 is missing (test/lab/up.sh unpacks trixie's docker-cli): run `bash test/lab/up.sh` as root.")
}
