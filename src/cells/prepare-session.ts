import type {CliIO} from '../core/io.js'
import type {GlobalSettings} from '../core/settings.js'
import {countSessions} from '../core/notebook/session-log.js'
import {Session} from './session.js'

export interface PreparedSession {
  readonly session: Session
  /** Sessions saved before this one: none means a first start. */
  readonly earlier: number
}

/** Counts earlier sessions (before this one's file exists), then opens the session. */
export async function prepareSession(settings: GlobalSettings, io: CliIO): Promise<PreparedSession> {
  const earlier = await countSessions(settings.notesDir)
  const session = await Session.open({env: io.env, notesDir: settings.notesDir, cellOptions: settings.cellOptions, resume: settings.resume})
  return {session, earlier}
}

