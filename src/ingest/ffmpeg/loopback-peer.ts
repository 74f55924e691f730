/**
 * Who is on the other end of a loopback TCP connection: the owner (uid) of the client socket, read
 * from the kernel's socket tables (/proc/net/tcp and tcp6, proc(5)). The camera bridge admits
 * only a client of its own user, so another local user racing ffmpeg to the bridge port gets
 * nothing (the bridge authenticates to the camera for whoever it admits).
 * Linux only; elsewhere the owner is unknown and the caller MUST refuse.
 */
import { readFile } from 'node:fs/promises';

const tables = ['/proc/net/tcp', '/proc/net/tcp6'];

/** The uid owning the client socket `clientPort` → `serverPort` on this host, or undefined when not found. */
export async function loopbackPeerUid(clientPort: number, serverPort: number): Promise<number | undefined> {
  const local = `:${clientPort.toString(16).toUpperCase().padStart(4, '0')}`;
  const remote = `:${serverPort.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of tables) {
    const text = await readFile(table, 'latin1').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 8 || !f[1]?.endsWith(local) || !f[2]?.endsWith(remote)) continue;
      const uid = Number(f[7]);
      if (Number.isInteger(uid)) return uid;
    }
  }
  return undefined;
}
