import {countSessions} from '../core/notebook/session-log.js'
import type {Settings} from '../core/settings.js'
import {Session} from './session.js'

export interface PreparedSession {
  readonly session: Session
  /** Sessions saved before this one: none means a first start. */
  readonly earlier: number
}

/** Counts earlier sessions (before this one's file exists), then opens the session. Plain values only: no CLI types below cli/. */
export async function prepareSession(settings: Settings, env: NodeJS.ProcessEnv): Promise<PreparedSession> {
  const earlier = await countSessions(settings.notesDir)
  const session = await Session.open({settings, env})
  return {session, earlier}
}
