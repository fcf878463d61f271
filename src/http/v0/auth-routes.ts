import type { FastifyInstance } from 'fastify';
import { FluxgateError, fail } from '../../domain/errors.ts';
import type { OidcConfig } from '../../server/server-config.ts';
import type { UserService } from '../../services/user-service.ts';

/**
 * What `fluxgate auth login` needs to know (no token: it is asked before signing in), and who the
 * presented sign-in is (for `auth status`).
 */
export function registerAuthRoutes(app: FastifyInstance, oidc: OidcConfig | undefined, users: UserService): void {
  app.get('/api/v0/auth/config', { config: { auth: 'none' } }, async () => {
    if (oidc === undefined) {
      throw new FluxgateError(
        'NOT_FOUND',
        'this server does not accept identity provider sign-ins (it runs without --oidc-issuer)',
      );
    }
    return {
      issuer: oidc.issuer,
      audience: oidc.audience,
      ...(oidc.clientId === undefined ? {} : { clientId: oidc.clientId }),
    };
  });

  app.get('/api/v0/auth/session', async (request) => {
    const principal = request.principal;
    if (principal.kind !== 'user' || principal.subject === undefined) {
      fail('INVALID_INPUT', 'this request is authenticated with a token, not a sign-in', { field: 'Authorization' });
    }
    const user = await users.self(principal.subject);
    return {
      subject: user.subject,
      group: user.group,
      displayName: principal.name,
      email: user.email,
      expiresAt: new Date(principal.expiresAt).toISOString(),
    };
  });
}
