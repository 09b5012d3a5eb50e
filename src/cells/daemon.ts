import {lstat} from 'node:fs/promises'
import {analyseDaemonConfig} from '../core/daemon-config/analyse.js'
import {discoverDaemon} from '../core/daemon-config/discover.js'
import {where, type ConfigFinding} from '../core/daemon-config/finding.js'
import {formatVersion} from '../core/daemon-config/version.js'
import type {CellContext, CellDefinition} from './cell.js'

/** Puts the file position in front of the detail, since the notebook shows title, detail and fix. */
function toNotebook(f: ConfigFinding): ConfigFinding {
  const prefix = where(f)
  return prefix === '' || f.detail === undefined ? f : {...f, detail: `${prefix}${f.detail}`}
}

/**
A daemon reached over ssh or tcp reads its daemon.json on its own host. The copy on this machine (if
any) says nothing about it, so it is not read; only what the daemon's API reports is shown.
*/
function remoteDaemon(ctx: CellContext, host: string, hostname: string, file: string, info: {ServerVersion?: string; Driver?: string; CgroupDriver?: string; CgroupVersion?: string} | undefined): void {
  const rec = ctx.recorder
  if (info?.ServerVersion !== undefined) rec.fact('Daemon version', info.ServerVersion)
  if (info?.Driver !== undefined) rec.fact('Storage driver', info.Driver)
  if (info?.CgroupDriver !== undefined) rec.fact('Cgroup driver', `${info.CgroupDriver} (cgroup v${info.CgroupVersion ?? '?'})`)
  const ssh = host.startsWith('ssh://')
  rec.finding({
    id: 'daemon-config-remote',
    status: 'skipped',
    title: `The daemon.json of the daemon at ${host} cannot be read from here`,
    detail: `The daemon reads ${file} (or its --config-file) on ${hostname}; the Docker API does not serve that file and ${file} on this machine belongs to another daemon, so nothing was linted. The facts above come from the daemon's /info.`,
    fix: ssh
      ? `Copy it here and lint it: \`ssh ${hostname} cat ${file} > remote-daemon.json && dagger-explore daemon-config remote-daemon.json\`, or run dagger-explore on ${hostname}.`
      : `Run dagger-explore on ${hostname}, or copy its ${file} here and run \`dagger-explore daemon-config FILE\`.`,
  })
}

export const daemonCell: CellDefinition<'daemon'> = {
  id: 'daemon',
  async run(ctx) {
    await lintDaemon(ctx)
    // The Registry cell turns an EOF verdict's fix concrete when the daemon raises its concurrent downloads.
    const raised = ctx.recorder.findings.find((f) => f.id === 'daemon-max-concurrent-downloads')?.title
    return {data: raised === undefined ? {} : {concurrencyRaised: raised}}
  },
}

async function lintDaemon(ctx: CellContext): Promise<void> {
  const rec = ctx.recorder
  const explicit = ctx.settings.daemonConfig
  if (explicit !== undefined && !(await lstat(explicit).then(() => true, () => false))) {
    // A file named on purpose that is not there is a mistake, not "the daemon runs on its defaults".
    rec.finding({
      id: 'daemon-config-named-missing',
      status: 'fail',
      title: `${explicit} does not exist`,
      detail: 'The file named with --daemon-config is not there, so there is nothing to lint or compare with the running daemon.',
      fix: 'Name an existing daemon.json, or leave --daemon-config out to lint the one in force.',
    })
    return
  }
  const found = await discoverDaemon(rec, ctx.docker, ctx.settings.dockerTimeoutMs, explicit, ctx.cwd)
  if (found.info === undefined) {
    rec.finding({
      id: 'daemon-info-unavailable',
      status: 'skipped',
      title: 'The running daemon could not be asked for its settings',
      detail: `GET /info ${found.endpoint === undefined ? '' : `on ${found.endpoint.host} `}failed (${found.infoError ?? 'no answer'}), so the file is linted without comparing it with the running daemon. The Environment cell explains why the daemon cannot be reached.`,
      fix: 'Get the daemon answering (see the Environment cell), then run this cell again.',
    })
  }
  if (explicit === undefined && found.endpoint !== undefined && found.endpoint.protocol !== 'unix' && found.location.elsewhere === true) {
    remoteDaemon(ctx, found.endpoint.host, found.endpoint.hostname ?? found.endpoint.host, found.location.file, found.info)
    return
  }
  const analysis = await analyseDaemonConfig(rec, found, ctx.env)
  for (const fact of analysis.facts) rec.fact(fact.label, fact.value)
  const file = analysis.location.file
  if (analysis.missing) rec.finding({id: 'daemon-config-absent', status: 'pass', title: `No ${file}: nothing to lint; the daemon takes its settings from its defaults and command-line flags`})
  if (analysis.readError !== undefined) {
    rec.finding({
      id: 'daemon-config-unreadable',
      status: 'skipped',
      title: `${file} could not be read`,
      ...(/^(?:EACCES|EPERM)\b/.test(analysis.readError)
        ? {
            detail: `Reading it failed (${analysis.readError}), so it was not linted. It usually belongs to root with mode 0644; with 0600 only root can read it.`,
            fix: `Run \`sudo dagger-explore daemon-config ${file}\`, or \`sudo cat ${file}\` to look at it.`,
          }
        : {
            detail: `Reading it failed (${analysis.readError}), so it was not linted; dockerd reads daemon.json as a regular file.`,
            fix: `Replace ${file} with the daemon.json file itself (or point the link at it).`,
          }),
    })
  }
  for (const f of analysis.findings) rec.finding(toNotebook(f))
  if (analysis.lint !== undefined && !analysis.findings.some((f) => f.status === 'fail' || f.status === 'warn')) {
    rec.finding({id: 'daemon-config-ok', status: 'pass', title: `${file} reads cleanly as dockerd ${formatVersion(analysis.lint.target)} reads it, and the daemon runs with it`})
  }
}
