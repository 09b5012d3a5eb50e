/**
Every HTTP agent a Docker client was given, so the CLI can let go of their sockets the moment a
command has its answer: a daemon answering one byte a second keeps a request whose deadline already
passed alive for a minute or more (dockerode's timeout is an idle timeout, and such a socket is never
idle). The sockets are unref'd, not destroyed: a destroyed request would fail and its cell would
record that late failure; an unref'd one simply stops holding the process, which then exits at once
(the OS closes the socket) while any file write still under way finishes. No imports, so the entry
point can hold it without loading anything.
*/
interface SocketLike {
  unref?: () => unknown
}

interface AgentLike {
  readonly sockets?: Readonly<Record<string, readonly SocketLike[] | undefined>>
  readonly freeSockets?: Readonly<Record<string, readonly SocketLike[] | undefined>>
}

const agents = new Set<AgentLike>()

/** Registers an agent and returns it. */
export function trackAgent<T extends AgentLike>(agent: T): T {
  agents.add(agent)
  return agent
}

/** Stops every socket of every registered agent from keeping the process alive. */
export function releaseDockerConnections(): void {
  for (const agent of agents) {
    for (const pool of [agent.sockets, agent.freeSockets]) {
      for (const list of Object.values(pool ?? {})) for (const socket of list ?? []) socket.unref?.()
    }
  }
}
