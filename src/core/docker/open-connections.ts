/**
Every HTTP agent a Docker client was given, so the CLI can close their sockets the moment a command
has its answer: a daemon answering one byte a second keeps a request whose deadline already passed
alive for a minute or more (dockerode's timeout is an idle timeout, and such a socket is never idle).
No imports, so the entry point can hold it without loading anything.
*/
interface Closable {
  destroy(): void
}

const agents = new Set<Closable>()

/** Registers an agent and returns it. */
export function trackAgent<T extends Closable>(agent: T): T {
  agents.add(agent)
  return agent
}

/** Destroys every socket of every registered agent; a request still under way fails, and nobody waits for it. */
export function closeDockerConnections(): void {
  for (const agent of agents) agent.destroy()
  agents.clear()
}
