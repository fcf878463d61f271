import { fail } from './errors.ts';

/**
 * The permission grammar of InfluxDB 3 Enterprise, `TYPE:NAMES:ACTIONS` (admin is `*:*:*`), parsed into
 * grants bound to database ids, and compiled into an Authority for the per-request check.
 */
export const DB_ACTIONS = { create: 1, describe: 2, read: 16, write: 32, delete: 64 } as const;
export type DbAction = keyof typeof DB_ACTIONS;
export const SYSTEM_RESOURCES = { health: 1, metrics: 2, ping: 4, ready: 8 } as const;
export type SystemResource = keyof typeof SYSTEM_RESOURCES;
const ALL_SYSTEM = 1 | 2 | 4 | 8;

/** A permission as a person writes it: database names, not ids. */
export type PermissionSpec =
  | { resourceType: 'admin' }
  | { resourceType: 'db'; names: '*' | string[]; actions: DbAction[] }
  | { resourceType: 'system'; names: '*' | SystemResource[] };

/** A permission as stored: bound to database ids, so a rename keeps it and a re-created name does not inherit it. */
export type Grant =
  | { type: 'admin' }
  | { type: 'db'; databases: '*' | number[]; actions: number }
  | { type: 'system'; resources: number };

export type Need =
  | { kind: 'admin' }
  /** `dbId` null: the database does not exist yet, so only a `db:*` grant can cover it. */
  | { kind: 'db'; dbId: number | null; actions: number }
  | { kind: 'system'; resource: SystemResource };

function invalid(message: string, field: string): never {
  fail('INVALID_PERMISSION', message, { field });
}

/** Parses `db:a,b:read,write`, `system:health:read`, `*:*:*`. */
export function parsePermissionString(text: string, field = 'permission'): PermissionSpec {
  const parts = text.trim().split(':');
  if (parts.length !== 3) {
    invalid(`${field} '${text}' must have the form TYPE:NAMES:ACTIONS, for example db:sensors:read,write`, field);
  }
  const [type, names, actions] = parts as [string, string, string];
  return validatePermission(
    { resource_type: type, resource_names: names.split(','), actions: actions.split(',') },
    field,
  );
}

/** Validates the JSON shape `{resource_type, resource_names, actions}` used by the HTTP API. */
export function validatePermission(input: unknown, field = 'permissions'): PermissionSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    invalid(`${field} must be an object with resource_type, resource_names and actions`, field);
  }
  const { resource_type: type, resource_names: names, actions, ...rest } = input as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) invalid(`${field} has an unknown field '${unknown}'`, `${field}.${unknown}`);
  const nameList = stringList(names, `${field}.resource_names`);
  const actionList = stringList(actions, `${field}.actions`);
  if (type === '*') {
    if (nameList.join() === '*' && actionList.join() === '*') return { resourceType: 'admin' };
    invalid(`${field}: the * resource type is only valid as *:*:* (admin)`, `${field}.resource_type`);
  }
  if (type === 'db') {
    return {
      resourceType: 'db',
      names: wildcardOr(nameList, `${field}.resource_names`),
      actions: dbActions(actionList, field),
    };
  }
  if (type === 'system') {
    const list = wildcardOr(nameList, `${field}.resource_names`);
    for (const action of actionList) {
      if (action !== 'read')
        invalid(`${field}: system resources only support the action 'read', not '${action}'`, `${field}.actions`);
    }
    if (list === '*') return { resourceType: 'system', names: '*' };
    for (const name of list) {
      if (!Object.hasOwn(SYSTEM_RESOURCES, name)) {
        invalid(
          `${field}: unknown system resource '${name}' (use health, metrics, ping, ready or *)`,
          `${field}.resource_names`,
        );
      }
    }
    return { resourceType: 'system', names: [...new Set(list)] as SystemResource[] };
  }
  invalid(`${field}: unknown resource type '${String(type)}' (use db or system)`, `${field}.resource_type`);
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0) invalid(`${field} must be a non-empty list`, field);
  const list = value.map((item) => (typeof item === 'string' ? item.trim() : item));
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0) invalid(`${field} has an empty or non-string entry`, field);
  }
  return list as string[];
}

function wildcardOr(list: string[], field: string): '*' | string[] {
  if (!list.includes('*')) return [...new Set(list)];
  if (list.length > 1) invalid(`${field} mixes the wildcard * with names`, field);
  return '*';
}

function dbActions(list: string[], field: string): DbAction[] {
  for (const action of list) {
    if (!Object.hasOwn(DB_ACTIONS, action)) {
      invalid(
        `${field}: unknown database action '${action}' (use read, write, create, describe or delete)`,
        `${field}.actions`,
      );
    }
  }
  return [...new Set(list)] as DbAction[];
}

export function formatPermission(spec: PermissionSpec): string {
  if (spec.resourceType === 'admin') return '*:*:*';
  if (spec.resourceType === 'system') return `system:${spec.names === '*' ? '*' : spec.names.join(',')}:read`;
  return `db:${spec.names === '*' ? '*' : spec.names.join(',')}:${spec.actions.join(',')}`;
}

/** Binds a spec to database ids; `idOf` answers undefined for a database that does not exist. */
export function resolveGrant(
  spec: PermissionSpec,
  idOf: (name: string) => number | undefined,
  field = 'permissions',
): Grant {
  if (spec.resourceType === 'admin') return { type: 'admin' };
  if (spec.resourceType === 'system') {
    const bits = spec.names === '*' ? ALL_SYSTEM : spec.names.reduce((acc, name) => acc | SYSTEM_RESOURCES[name], 0);
    return { type: 'system', resources: bits };
  }
  const actions = spec.actions.reduce((acc, action) => acc | DB_ACTIONS[action], 0);
  if (spec.names === '*') return { type: 'db', databases: '*', actions };
  const ids = spec.names.map((name) => {
    const id = idOf(name);
    if (id === undefined) invalid(`${field}: database '${name}' does not exist`, `${field}.resource_names`);
    return id;
  });
  return { type: 'db', databases: [...new Set(ids)].sort((a, b) => a - b), actions };
}

/** The reverse of resolveGrant, for display; `nameOf` gives the (possibly deleted) database's name. */
export function describeGrant(grant: Grant, nameOf: (id: number) => string): PermissionSpec {
  if (grant.type === 'admin') return { resourceType: 'admin' };
  if (grant.type === 'system') {
    if (grant.resources === ALL_SYSTEM) return { resourceType: 'system', names: '*' };
    const names = (Object.keys(SYSTEM_RESOURCES) as SystemResource[]).filter(
      (n) => grant.resources & SYSTEM_RESOURCES[n],
    );
    return { resourceType: 'system', names };
  }
  const actions = (Object.keys(DB_ACTIONS) as DbAction[]).filter((a) => grant.actions & DB_ACTIONS[a]);
  return { resourceType: 'db', names: grant.databases === '*' ? '*' : grant.databases.map(nameOf), actions };
}

export function dbActionBits(...actions: DbAction[]): number {
  return actions.reduce((acc, action) => acc | DB_ACTIONS[action], 0);
}

/** Grants compiled for the hot path: a few integer tests and at most one Map lookup per check. */
export class Authority {
  readonly admin: boolean;
  private readonly dbAll: number;
  /** Most tokens name one database: kept in two fields so the check needs no Map lookup. */
  private readonly soleDbId: number;
  private readonly soleDbActions: number;
  private readonly dbById: ReadonlyMap<number, number> | undefined;
  private readonly system: number;

  constructor(grants: readonly Grant[]) {
    let admin = false;
    let dbAll = 0;
    let system = 0;
    const dbById = new Map<number, number>();
    for (const grant of grants) {
      if (grant.type === 'admin') admin = true;
      else if (grant.type === 'system') system |= grant.resources;
      else if (grant.databases === '*') dbAll |= grant.actions;
      else for (const id of grant.databases) dbById.set(id, (dbById.get(id) ?? 0) | grant.actions);
    }
    this.admin = admin;
    this.dbAll = dbAll;
    this.system = system;
    const [sole] = dbById;
    this.soleDbId = dbById.size === 1 && sole !== undefined ? sole[0] : -1;
    this.soleDbActions = dbById.size === 1 && sole !== undefined ? sole[1] : 0;
    this.dbById = dbById.size > 1 ? dbById : undefined;
  }

  allows(need: Need): boolean {
    if (this.admin) return true;
    switch (need.kind) {
      case 'admin':
        return false;
      case 'system':
        return (this.system & SYSTEM_RESOURCES[need.resource]) !== 0;
      case 'db': {
        const granted = this.dbAll | (need.dbId === null ? 0 : this.actionsOn(need.dbId));
        return (granted & need.actions) === need.actions;
      }
    }
  }

  /** True when every right in `grants` is also held here: a token may only mint subsets of itself. */
  covers(grants: readonly Grant[]): boolean {
    if (this.admin) return true;
    return grants.every((grant) => {
      if (grant.type === 'admin') return false;
      if (grant.type === 'system') return (this.system & grant.resources) === grant.resources;
      if (grant.databases === '*') return (this.dbAll & grant.actions) === grant.actions;
      return grant.databases.every((id) => this.allows({ kind: 'db', dbId: id, actions: grant.actions }));
    });
  }

  private actionsOn(dbId: number): number {
    if (dbId === this.soleDbId) return this.soleDbActions;
    return this.dbById?.get(dbId) ?? 0;
  }
}
