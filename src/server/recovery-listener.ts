import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { systemPrincipal } from '../auth/principal.ts';
import { loopbackRefusal } from '../http/loopback-request.ts';
import { issuedTokenJson } from '../http/v3/token-json.ts';
import type { TokenService } from '../services/token-service.ts';

const RECOVERY_PATH = '/api/v3/configure/token/admin/regenerate';

/**
 * A second listener that regenerates the operator token once, without a credential, then closes
 * (InfluxDB 3's `--admin-token-recovery-http-bind`). Anything else gets 404.
 */
export async function startRecoveryListener(
  host: string,
  port: number,
  tokens: TokenService,
  logger: Logger,
): Promise<{ server: Server; address: string }> {
  let used = false;
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'POST' || path !== RECOVERY_PATH || used) {
      response
        .writeHead(404, { 'content-type': 'application/json', connection: 'close' })
        .end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const refusal = loopbackRefusal(request);
    if (refusal !== undefined) {
      logger.warn({ reason: refusal }, 'operator token recovery refused');
      response
        .writeHead(403, { 'content-type': 'application/json', connection: 'close' })
        .end(JSON.stringify({ error: `recovery refused: ${refusal}`, code: 'PERMISSION_DENIED' }));
      return;
    }
    // One shot: decided on arrival, so concurrent requests cannot regenerate twice.
    used = true;
    server.close();
    request.resume();
    tokens
      .recoverOperatorToken(systemPrincipal('recovery', request.socket.remoteAddress ?? null))
      .then((issued) => {
        response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(issuedTokenJson(issued)));
        logger.warn('operator token regenerated through the recovery listener; the listener is now closed');
        server.closeAllConnections();
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'operator token recovery failed');
        response
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'recovery failed' }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const address =
    typeof bound === 'object' && bound !== null ? `http://${host}:${bound.port}` : `http://${host}:${port}`;
  logger.warn(
    { address },
    'admin token recovery listener is open: it allows unauthenticated operator token regeneration',
  );
  return { server, address };
}
