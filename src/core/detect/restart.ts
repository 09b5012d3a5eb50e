/**
The CLI starts its own engines with `--restart always`; the dev engine is started without a restart
policy, so after a reboot (or a daemon restart) it stays exited and the next dagger call finds no
engine answering.
*/
import type {Finding} from '../types.js'

export interface ContainerStateFacts {
  readonly name: string
  /** `running`, `exited`, `created`, … */
  readonly status: string
  /** HostConfig.RestartPolicy.Name (`''` or `no` for none). */
  readonly restartPolicy: string
  readonly exitCode: number
  readonly finishedAt: Date | null
  readonly oomKilled: boolean
}

/** Boot time of this machine from /proc/stat's btime (seconds since the epoch). */
export function bootTimeFrom(procStat: string): Date | null {
  const m = /^btime (\d+)$/m.exec(procStat)
  return m ? new Date(Number(m[1]) * 1000) : null
}

export function restartFinding(c: ContainerStateFacts, bootTime: Date | null): Finding | null {
  if (c.status === 'running') return null
  const noPolicy = c.restartPolicy === '' || c.restartPolicy === 'no'
  const beforeBoot = c.finishedAt !== null && bootTime !== null && c.finishedAt.getTime() <= bootTime.getTime() + 60_000
  if (c.oomKilled || c.exitCode === 137) {
    return {
      id: 'dev-engine-killed',
      status: 'fail',
      title: `${c.name} was killed (exit ${c.exitCode}${c.oomKilled ? ', out of memory' : ''})`,
      detail: `Docker reports State.OOMKilled=${c.oomKilled}; exit 137 is SIGKILL. A dagger call then fails with "buildctl dial-stdio … exited" or EOF.`,
      fix: `Give Docker more memory (Docker Desktop/Colima VM settings) or run fewer builds at once, then \`docker start ${c.name}\`.`,
    }
  }
  return {
    id: beforeBoot && noPolicy ? 'dev-engine-down-after-reboot' : 'dev-engine-not-running',
    status: 'warn',
    title: beforeBoot && noPolicy ? `${c.name} has been exited since before the last boot: it has no restart policy` : `${c.name} is ${c.status} (exit ${c.exitCode})`,
    detail: `${noPolicy ? 'The dev engine is started without a restart policy (unlike the engines the CLI provisions, which get --restart always), so nothing brings it back after a reboot or a daemon restart.' : `Its restart policy is ${c.restartPolicy}.`}${c.finishedAt ? ` It stopped at ${c.finishedAt.toISOString()}${bootTime ? `; this machine booted at ${bootTime.toISOString()}` : ''}.` : ''}`,
    fix: `Run \`docker start ${c.name}\` (the Launch cell does, with your approval); \`docker update --restart unless-stopped ${c.name}\` keeps it up across reboots.`,
  }
}
