import {DaggerExploreError} from '../errors.js'

/** What went wrong on the ssh leg, read from ssh's own stderr and exit status. */
export type SshFailure = 'refused' | 'name_not_found' | 'auth_failed' | 'host_key_changed' | 'host_key_unknown' | 'no_docker' | 'timeout' | 'no_ssh' | 'other'

/** The ssh leg to a remote Docker daemon failed; `failure` says how, `stderr` is what ssh printed. */
export class SshTransportError extends DaggerExploreError {
  override readonly name = 'SshTransportError'
  readonly code: string
  constructor(
    message: string,
    readonly failure: SshFailure,
    /** ssh's stderr, trimmed, as the user would see it. */
    readonly stderr: string,
  ) {
    super(message)
    this.code = `SSH_${failure.toUpperCase()}`
  }
}
