/** The principal types live in the domain (src/domain/principal.ts); re-exported for the auth layer. */
export {
  ADMIN_AUTHORITY,
  type AnonymousPrincipal,
  anonymousPrincipal,
  NO_AUTHORITY,
  type Principal,
  type SystemPrincipal,
  systemPrincipal,
  type TokenPrincipal,
} from '../domain/principal.ts';
