import { createServer, type Server } from 'node:net'

/**
 * Reserves `count` distinct free TCP ports on 127.0.0.1 by binding them all at once, then
 * releases them for the cluster's processes to bind. Two runs on one machine get different ports.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) {
      servers.push(
        await new Promise<Server>((resolve, reject) => {
          const s = createServer()
          s.once('error', reject)
          s.listen(0, '127.0.0.1', () => resolve(s))
        }),
      )
    }
    return servers.map((s) => {
      const a = s.address()
      if (a === null || typeof a === 'string') throw new Error('unexpected server address')
      return a.port
    })
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  }
}

/** Fails with a clear message when something already listens on 127.0.0.1:port. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = createServer()
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port 127.0.0.1:${port} (${purpose}) is taken by another process. Fix: stop that process (ss -ltnp 'sport = :${port}' shows it), or leave the port choice to the harness`
            : `cannot bind 127.0.0.1:${port} (${purpose}): ${e.message}`,
        ),
      ),
    )
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()))
  })
}
