import {redact, stripControl} from '../notebook/sanitize.js'

/**
SGR (colour and weight) and nothing else: it cannot move the cursor, clear the screen, set the window
title, write the clipboard or open a link, so it is the one kind of escape that may reach the terminal,
and only when the program colours its own output (`--color`, a TTY).
*/
const SGR = /(\u001B\[[0-9;:]*m)/

/**
Text as it may leave the program on stdout or stderr: terminal escapes and control characters gone
(SGR kept when `keepSgr`), secrets redacted. The one cleaning every command's output passes, so a
session title, a container label or a daemon.json key cannot drive the user's terminal.
*/
export function cleanOutput(text: string, options: {keepSgr?: boolean} = {}): string {
  if (!options.keepSgr) return redact(stripControl(text))
  // Odd parts are the SGR sequences the split captured; everything between them is cleaned whole.
  const kept = text.split(SGR).map((part, i) => (i % 2 === 1 ? part : stripControl(part))).join('')
  // A colour code inside a secret must not hide it from the redactor: the redactor reads the text without
  // colour (one pass), and a text that holds a secret goes out without colour.
  const bare = stripControl(text)
  const redacted = redact(bare)
  return redacted === bare ? kept : redacted
}
