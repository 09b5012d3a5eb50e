import type Docker from 'dockerode'
import type {devNames} from './names.js'

type DevNames = ReturnType<typeof devNames>

/** The fix follows the state observed after the failure: privileges only matter for an engine that exited. */
export function launchFailureFix(names: DevNames, state: Docker.ContainerInspectInfo | undefined): string {
  const logs = `Look at \`docker logs ${names.container}\``
  if (state === undefined) return `${logs} (the container is gone now; \`docker ps -a\` lists what is left).`
  if (state.State.Running) return `${logs}: ${names.container} is running but did not answer \`buildctl dial-stdio\` in time; its last lines say what it is waiting for. Run this step again to wait once more, or \`docker restart ${names.container}\`.`
  return `${logs}: ${names.container} is ${state.State.Status} (exit code ${state.State.ExitCode}). An engine that exits at once often lacks privileges (it needs --privileged and cgroup access) or finds its volume from an incompatible version (\`docker volume rm ${names.volume}\` resets it).`
}
