/** Default per-call budget for Docker API calls that return quickly (inspect, tag, create, start, remove). */
export const DOCKER_CALL_TIMEOUT_MS = 15_000

// Docker calls have one timeout, and one error for it: a `timeout` DockerCallError (core/docker/client.ts).
export {withTimeout} from '../docker/client.js'

/** The daemon's own message for a failed call (dockerode puts it in `json.message`). */
export function dockerMessage(error: unknown): string {
  const e = error as {json?: {message?: string}; reason?: string; message?: string; statusCode?: number}
  const message = e.json?.message ?? e.message ?? String(error)
  return typeof e.statusCode === 'number' && !message.includes(String(e.statusCode)) ? `HTTP ${e.statusCode}: ${message}` : message
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as {statusCode?: unknown}).statusCode
  return typeof code === 'number' ? code : undefined
}

/** Splits Docker's multiplexed stdout/stderr framing (non-TTY logs and exec output). */
export function demuxDockerStream(buf: Buffer): {stdout: Buffer; stderr: Buffer; rest: Buffer} {
  const out: Buffer[] = []
  const err: Buffer[] = []
  let at = 0
  while (at + 8 <= buf.length) {
    const type = buf[at]
    const size = buf.readUInt32BE(at + 4)
    if (at + 8 + size > buf.length) break
    const payload = buf.subarray(at + 8, at + 8 + size)
    if (type === 2) err.push(payload)
    else out.push(payload)
    at += 8 + size
  }
  return {stdout: Buffer.concat(out), stderr: Buffer.concat(err), rest: buf.subarray(at)}
}

/** A destructive step, described exactly as it will run, for the user to approve. */
export interface ConfirmRequest {
  /** One line, e.g. "Replace the running dagger-engine.dev". */
  readonly action: string
  /** The equivalent commands, shown verbatim. */
  readonly commands: readonly string[]
  /** Why it is needed and what is lost. */
  readonly why: string
}

export type Confirm = (request: ConfirmRequest) => Promise<boolean>

/** How a destructive step is approved: `yes` (the `--yes` flag) or asking through `confirm`. */
export interface Approval {
  readonly yes?: boolean
  readonly confirm?: Confirm
}

/** True when approved; without `yes` or a `confirm` callback nothing destructive happens. */
export async function approve(approval: Approval, request: ConfirmRequest): Promise<boolean> {
  if (approval.yes === true) return true
  if (approval.confirm === undefined) return false
  return approval.confirm(request)
}
