import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.ts';
import { FluxgateError } from '../domain/errors.ts';
import { type ConnectionLimits, fastifyConnectionOptions } from '../server/connection-limits.ts';
import type { OidcConfig } from '../server/server-config.ts';
import type { AuditService } from '../services/audit-service.ts';
import type { DatabaseService } from '../services/database-service.ts';
import type { InfluxqlService } from '../services/influxql-service.ts';
import type { ManagementApi } from '../services/management-api.ts';
import type { OidcCodeFlow } from '../services/oidc-code-flow.ts';
import type { QueryService } from '../services/query-service.ts';
import type { RequestOutcomes } from '../services/request-outcomes.ts';
import type { ServerStats } from '../services/server-stats.ts';
import type { SystemService } from '../services/system-service.ts';
import type { TokenService } from '../services/token-service.ts';
import type { UserService } from '../services/user-service.ts';
import type { WriteService } from '../services/write-service.ts';
import { createAuthHook } from './auth-hook.ts';
import type { ConsoleBuild } from './console/console-assets.ts';
import { registerConsoleRoutes } from './console/console-routes.ts';
import type { ConsoleSessions } from './console/console-sessions.ts';
import { errorBody, toFluxgateError } from './error-bodies.ts';
import { acceptFormBodies } from './form-body.ts';
import type { ServerMetrics } from './metrics.ts';
import { awaitPropagation, type PropagationWaiter } from './propagation-hook.ts';
import { redactUrl } from './redact.ts';
import type { ApiFamily } from './route-config.ts';
import { registerSystemRoutes } from './system-routes.ts';
import { registerAuditRoutes } from './v0/audit-routes.ts';
import { registerAuthRoutes } from './v0/auth-routes.ts';
import { registerV0DatabaseRoutes } from './v0/database-routes.ts';
import { registerStatsRoutes } from './v0/stats-routes.ts';
import { registerUserRoutes } from './v0/user-routes.ts';
import { registerV0Routes } from './v0/v0-scope.ts';
import { registerV0TokenRoutes } from './v0/v0-token-routes.ts';
import { registerWhoamiRoute } from './v0/whoami-route.ts';
import { registerV1QueryRoutes } from './v1/query-routes.ts';
import { registerDatabaseRoutes } from './v3/database-routes.ts';
import { registerInfluxqlRoutes } from './v3/influxql-routes.ts';
import { registerQueryRoutes } from './v3/query-routes.ts';
import { registerTokenRoutes } from './v3/token-routes.ts';
import { registerWriteRoutes } from './write-routes.ts';

export interface HttpDeps {
  logger: Logger;
  authenticator: Authenticator;
  tokens: TokenService;
  databases: DatabaseService;
  system: SystemService;
  metrics: ServerMetrics;
  authEnabled: boolean;
  now: () => number;
  writes: WriteService;
  queries: QueryService;
  influxql: InfluxqlService;
  /** Largest accepted request body in bytes (after gunzip for writes). */
  bodyLimit: number;
  /** The web console: its built files (undefined when not built) and its sessions. */
  console: { build: ConsoleBuild | undefined; sessions: ConsoleSessions; oidcFlow?: OidcCodeFlow | undefined };
  /** Requests per minute by outcome, counted as each response ends, and the Overview's readings. */
  outcomes: RequestOutcomes;
  stats: ServerStats;
  users: UserService;
  audit: AuditService;
  oidc: OidcConfig | undefined;
  /** Header, request and keep-alive timeouts; Node's defaults when absent. */
  connections?: ConnectionLimits;
  /** On a shared catalog: revokes wait for every live node to apply them. */
  propagation?: PropagationWaiter;
  /** The management API's door (account and cluster ids, who may enter). */
  managementApi: ManagementApi;
}

/** The HTTP face: translates requests into service calls and errors into each family's shape. */
export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      customOptions: {
        allowUnionTypes: true,
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: false,
      },
    },
    routerOptions: { ignoreTrailingSlash: true },
    ...(deps.connections === undefined ? {} : fastifyConnectionOptions(deps.connections)),
  });
  app.decorateRequest('principal', null as never);
  app.decorateRequest('consoleSession', null);
  // Some clients send `Content-Type:` with no value (Debian's `influx -import`); that is no content type.
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type']?.trim() === '') delete request.headers['content-type'];
  });
  acceptFormBodies(app);
  app.addHook('onRequest', createAuthHook({ ...deps, consoleSessions: deps.console.sessions }));
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.recordRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
    deps.outcomes.record(reply.statusCode);
    if (!deps.logger.isLevelEnabled('info')) return;
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ip: request.ip,
      },
      'request',
    );
  });
  if (deps.propagation !== undefined) awaitPropagation(app, deps.propagation);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, deps));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new FluxgateError('NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
      deps,
    ),
  );

  registerSystemRoutes(app, deps.system, deps.metrics);
  registerTokenRoutes(app, deps.tokens, deps.now);
  registerDatabaseRoutes(app, deps.databases);
  registerWriteRoutes(app, deps.writes, deps.bodyLimit);
  registerQueryRoutes(app, deps.queries);
  registerStatsRoutes(app, deps.stats);
  registerInfluxqlRoutes(app, deps.influxql, deps.queries);
  registerV1QueryRoutes(app, deps.influxql);
  registerConsoleRoutes(app, { ...deps.console, authenticator: deps.authenticator, authEnabled: deps.authEnabled });
  registerAuthRoutes(app, deps.oidc, deps.users);
  registerUserRoutes(app, deps.users);
  registerV0Routes(app, deps.managementApi, (scope) => {
    registerWhoamiRoute(scope, deps.managementApi);
    registerV0TokenRoutes(scope, deps.tokens, deps.managementApi.identity, deps.now);
    registerV0DatabaseRoutes(scope, deps.databases, deps.managementApi.identity);
    registerAuditRoutes(scope, deps.audit);
  });
  return app;
}

function familyOf(request: FastifyRequest): ApiFamily {
  const configured = request.routeOptions.config?.family;
  if (configured !== undefined) return configured;
  const path = request.url;
  if (path.startsWith('/api/v2/')) return 'v2';
  if (path.startsWith('/api/v0/')) return 'v0';
  if (path.startsWith('/write') || path.startsWith('/query')) return 'v1';
  return 'v3';
}

function sendError(raw: unknown, request: FastifyRequest, reply: FastifyReply, deps: HttpDeps): FastifyReply {
  const error = toFluxgateError(raw, request.headers['content-type']) ?? internal(raw, request);
  if (error.status === 403) deps.metrics.recordAuth('forbidden');
  reply.code(error.status).header('X-Fluxgate-Error', error.code);
  if (error.status === 401) {
    const reason = typeof error.details.reason === 'string' ? error.details.reason : 'missing';
    const challenge = reason === 'missing' ? '' : `, error="invalid_token", error_description="${reason}"`;
    reply.header('WWW-Authenticate', `Bearer realm="fluxgate"${challenge}`);
  }
  if (error.code === 'AUTH_THROTTLED') reply.header('Retry-After', String(error.details.retryAfterSeconds ?? 60));
  if (error.code === 'CATALOG_UNAVAILABLE') reply.header('Retry-After', '1');
  if (error.status === 500) request.log.error({ err: raw, url: redactUrl(request.url) }, 'request failed');
  return reply.send(errorBody(familyOf(request), error));
}

function internal(raw: unknown, request: FastifyRequest): FluxgateError {
  request.log.error({ err: raw }, 'unexpected error');
  return new FluxgateError('INTERNAL', 'internal error; see the server log');
}
