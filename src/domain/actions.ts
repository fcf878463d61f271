import type { TokenKind } from './token-format.ts';

/**
 * Every action a principal can be allowed or refused, as data. Management actions are authorized
 * and audited by the services; data-plane actions (writes, queries, probes) are authorized on every
 * request and not audited (a misconfigured writer would flood the log).
 */
export const MANAGEMENT_ACTIONS = [
  'operator_token.create',
  'operator_token.list',
  'operator_token.get',
  'operator_token.update',
  'operator_token.rotate',
  'operator_token.revoke',
  'operator_token.delete',
  'admin_token.create',
  'admin_token.list',
  'admin_token.get',
  'admin_token.update',
  'admin_token.rotate',
  'admin_token.revoke',
  'admin_token.delete',
  'management_token.create',
  'management_token.list',
  'management_token.get',
  'management_token.update',
  'management_token.rotate',
  'management_token.revoke',
  'management_token.delete',
  'database_token.create',
  'database_token.list',
  'database_token.get',
  'database_token.update',
  'database_token.rotate',
  'database_token.revoke',
  'database_token.delete',
  'database.create',
  'database.list',
  'database.get',
  'database.update',
  'database.rename',
  'database.delete',
  'database.undelete',
  'database.purge',
  'token_secret.purge',
  'audit.read',
  'audit.verify',
  'user.list',
  'user.get',
  'user.add',
  'user.update',
  'user.remove',
  'management_api.use',
] as const;

export const DATA_ACTIONS = ['data.write', 'data.query', 'system.read', 'system.probe'] as const;

export type ManagementAction = (typeof MANAGEMENT_ACTIONS)[number];
export type DataAction = (typeof DATA_ACTIONS)[number];
export type Action = ManagementAction | DataAction;

export const ACTIONS: readonly Action[] = [...MANAGEMENT_ACTIONS, ...DATA_ACTIONS];

export type TokenVerb = 'create' | 'list' | 'get' | 'update' | 'rotate' | 'revoke' | 'delete';

/** The action on tokens of one kind: `tokenAction('database', 'revoke')` is `database_token.revoke`. */
export function tokenAction(kind: TokenKind, verb: TokenVerb): ManagementAction {
  return `${kind}_token.${verb}`;
}

const KIND_NOUNS: Readonly<Record<TokenKind, string>> = {
  operator: 'the operator token',
  admin: 'admin tokens',
  management: 'management tokens',
  database: 'database tokens',
};

const TOKEN_VERB_TEXT: Readonly<Record<TokenVerb, string>> = {
  create: 'create',
  list: 'list',
  get: 'read',
  update: 'edit',
  rotate: 'rotate',
  revoke: 'revoke',
  delete: 'delete',
};

const OTHER_TEXT: Readonly<Record<string, string>> = {
  'operator_token.rotate': 'regenerate the operator token',
  'database.create': 'create databases',
  'database.list': 'list databases',
  'database.get': 'read databases',
  'database.update': 'change databases',
  'database.rename': 'rename databases',
  'database.delete': 'delete databases',
  'database.undelete': 'undelete databases',
  'database.purge': 'purge deleted databases',
  'token_secret.purge': 'purge rotated-out token secrets',
  'audit.read': 'read the audit log',
  'audit.verify': 'verify the audit log',
  'user.list': 'list users',
  'user.get': 'read users',
  'user.add': 'add users',
  'user.update': 'change users',
  'user.remove': 'remove users',
  'management_api.use': 'use the management API',
  'data.write': 'write to',
  'data.query': 'query',
  'system.read': 'read',
  'system.probe': 'read',
};

/** The action as a verb phrase: "revoke database tokens", "write to". */
export function actionText(action: Action): string {
  const special = OTHER_TEXT[action];
  if (special !== undefined) return special;
  const [noun, verb] = action.split('.') as [string, TokenVerb];
  const kind = noun.slice(0, -'_token'.length) as TokenKind;
  return `${TOKEN_VERB_TEXT[verb]} ${KIND_NOUNS[kind]}`;
}

export function isManagementAction(value: string): value is ManagementAction {
  return (MANAGEMENT_ACTIONS as readonly string[]).includes(value);
}
