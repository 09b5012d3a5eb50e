/**
Races `promise` against a timer: on expiry `onTimeout` runs (to close a socket, say) and the result
rejects with `expired()`. Every Docker and network call goes through this, each module with its own
error wording.
*/
export async function withDeadline<T>(promise: Promise<T>, ms: number, expired: () => Error, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.()
      reject(expired())
    }, ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
