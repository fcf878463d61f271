import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** The HTTP/2 connection preface a gRPC client opens with; no HTTP/1.1 request starts with it. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export interface FrontDoor {
  /** Ends the connections that have not yet said which protocol they speak. */
  closeUndecided(): void;
}

/**
 * One listening port for HTTP/1.1 and gRPC (h2c), as InfluxDB 3 serves both. The HTTP server keeps
 * listening (so its connection cap and timeouts cover every connection); its connection handler is
 * put behind a check of the first bytes, which hands a connection opening with the HTTP/2 preface to
 * gRPC instead. The bytes read are pushed back, so either side sees the connection from its start.
 */
export function installFrontDoor(http: Server, grpc: (socket: Socket) => void, firstBytesTimeoutMs: number): FrontDoor {
  const serveHttp = http.listeners('connection') as Array<(socket: Socket) => void>;
  http.removeAllListeners('connection');
  const undecided = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    undecided.add(socket);
    let seen: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), firstBytesTimeoutMs);
    // The HTTP server allows half-open sockets: a client that leaves before its first byte must not linger.
    const onEnd = () => socket.destroy();
    const forget = () => {
      clearTimeout(timer);
      undecided.delete(socket);
    };
    const decide = (toGrpc: boolean) => {
      forget();
      socket.off('data', onData);
      socket.off('error', forget);
      socket.off('close', forget);
      socket.off('end', onEnd);
      socket.pause();
      socket.unshift(seen);
      // Each server takes the socket over and reads it as it needs (HTTP/2 reads the buffered bytes
      // back itself); HTTP/1.1 is resumed into flowing mode, as a fresh connection would be.
      if (toGrpc) grpc(socket);
      else {
        for (const listener of serveHttp) listener.call(http, socket);
        socket.resume();
      }
    };
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const compared = Math.min(seen.length, PREFACE.length);
      if (!seen.subarray(0, compared).equals(PREFACE.subarray(0, compared))) decide(false);
      else if (seen.length >= PREFACE.length) decide(true);
    };
    socket.on('data', onData);
    socket.on('error', forget);
    socket.on('close', forget);
    socket.on('end', onEnd);
  });
  return {
    closeUndecided() {
      for (const socket of undecided) socket.destroy();
    },
  };
}
