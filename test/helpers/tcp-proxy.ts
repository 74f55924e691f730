import { createConnection, createServer, type Socket } from 'node:net';

/** A TCP proxy a test puts in front of a shared server (PostgreSQL) to cut the network to it. */
export interface TcpProxy {
  readonly port: number;
  /**
   * Blackholes the link, like a network partition: nothing flows either way and new connections
   * are accepted but get no answer. Connections stay open (no RST, no FIN), so clients wait.
   */
  blackhole(): void;
  /** Heals the link: held bytes and held connections go through, as TCP retransmission would. */
  heal(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (ephemeral port) forwarding to `host:port`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  /** Bytes read while blackholed, per direction, delivered on heal. */
  const stalled: { from: Socket; to: Socket; chunks: Buffer[] }[] = [];
  let blackholed = false;

  const forward = (from: Socket, to: Socket) => {
    const lane = { from, to, chunks: [] as Buffer[] };
    stalled.push(lane);
    from.on('data', (chunk: Buffer) => {
      if (blackholed) {
        lane.chunks.push(chunk);
        from.pause();
        return;
      }
      to.write(chunk);
    });
  };

  const connect = (client: Socket) => {
    const upstream = createConnection(target);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  };

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (blackholed) {
      client.pause();
      held.push(client);
      return;
    }
    connect(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    blackhole() {
      blackholed = true;
      // Stop reading both ways: bytes wait in kernel buffers (and the lanes), as on a dead link.
      for (const s of sockets) s.pause();
    },
    heal() {
      blackholed = false;
      for (const lane of stalled) {
        if (lane.to.destroyed) continue;
        for (const chunk of lane.chunks.splice(0)) lane.to.write(chunk);
      }
      for (const s of sockets) s.resume();
      for (const client of held.splice(0)) {
        if (client.destroyed) continue;
        connect(client);
        client.resume();
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
