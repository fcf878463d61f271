import type { Duplex } from 'node:stream';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { FLIGHT_SERVICE, type FlightDeps, flightHandlers } from './flight-service.ts';

/** The gRPC messages clients may send (tickets, commands); answers are batched below grpc-js's 4 MiB. */
const MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

export interface FlightServer {
  /** Hands over a connection that opened with the HTTP/2 preface. */
  accept(connection: Duplex): void;
  close(): Promise<void>;
}

/** Arrow Flight over gRPC, fed connections by the front door rather than listening itself. */
export function createFlightServer(deps: FlightDeps): FlightServer {
  const server = new Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES });
  server.addService(FLIGHT_SERVICE, flightHandlers(deps));
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  return {
    accept: (connection) => injector.injectConnection(connection),
    close: () =>
      new Promise<void>((resolve) => {
        injector.drain(1_000);
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          injector.destroy();
          resolve();
        });
      }),
  };
}
