import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FluxgateError } from '../../src/domain/errors.ts';
import {
  Authority,
  dbActionBits,
  describeGrant,
  formatPermission,
  parsePermissionString,
  resolveGrant,
  validatePermission,
} from '../../src/domain/permissions.ts';

const ids: Record<string, number> = { sensors: 1, other: 2 };
const idOf = (name: string) => ids[name];

function rejects(fn: () => unknown, field: RegExp, message: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FluxgateError);
    assert.equal(error.code, 'INVALID_PERMISSION');
    assert.match(String(error.details.field), field);
    assert.match(error.message, message);
    return true;
  });
}

describe('permission grammar', () => {
  test('parses the documented forms and prints them back', () => {
    for (const text of [
      'db:sensors:read,write',
      'db:*:read',
      'db:a,b:read',
      'system:health:read',
      'system:*:read',
      '*:*:*',
    ]) {
      assert.equal(formatPermission(parsePermissionString(text)), text);
    }
    assert.deepEqual(parsePermissionString(' db:sensors:write,read,write '), {
      resourceType: 'db',
      names: ['sensors'],
      actions: ['write', 'read'],
    });
  });

  test('every bad part is named', () => {
    rejects(() => parsePermissionString('db:sensors'), /permission/, /TYPE:NAMES:ACTIONS/);
    rejects(() => parsePermissionString('table:x:read'), /resource_type/, /unknown resource type 'table'/);
    rejects(() => parsePermissionString('db:sensors:fly'), /actions/, /unknown database action 'fly'/);
    rejects(() => parsePermissionString('db:*,sensors:read'), /resource_names/, /mixes the wildcard/);
    rejects(() => parsePermissionString('db::read'), /resource_names/, /empty/);
    rejects(() => parsePermissionString('system:disk:read'), /resource_names/, /unknown system resource 'disk'/);
    rejects(() => parsePermissionString('system:health:write'), /actions/, /only support the action 'read'/);
    rejects(() => parsePermissionString('*:sensors:read'), /resource_type/, /only valid as \*:\*:\*/);
    rejects(
      () => validatePermission({ resource_type: 'db', resource_names: ['a'], actions: ['read'], extra: 1 }),
      /extra/,
      /unknown field/,
    );
    rejects(() => validatePermission('db:a:read'), /permissions/, /must be an object/);
  });

  test('grants bind to database ids and show names again', () => {
    const grant = resolveGrant(parsePermissionString('db:other,sensors:read,write'), idOf);
    assert.deepEqual(grant, { type: 'db', databases: [1, 2], actions: dbActionBits('read', 'write') });
    assert.deepEqual(
      describeGrant(grant, (id) => (id === 1 ? 'renamed' : 'other')),
      {
        resourceType: 'db',
        names: ['renamed', 'other'],
        actions: ['read', 'write'],
      },
    );
    rejects(
      () => resolveGrant(parsePermissionString('db:ghost:read'), idOf),
      /resource_names/,
      /database 'ghost' does not exist/,
    );
  });
});

describe('Authority', () => {
  const read = dbActionBits('read');
  const write = dbActionBits('write');
  const readWrite = dbActionBits('read', 'write');

  test('checks every requested action on the exact database', () => {
    const authority = new Authority([resolveGrant(parsePermissionString('db:sensors:read,write'), idOf)]);
    assert.equal(authority.allows({ kind: 'db', dbId: 1, actions: readWrite }), true);
    assert.equal(authority.allows({ kind: 'db', dbId: 2, actions: read }), false);
    assert.equal(authority.allows({ kind: 'db', dbId: null, actions: write }), false, 'a missing database needs db:*');
    assert.equal(authority.allows({ kind: 'admin' }), false);
    assert.equal(authority.allows({ kind: 'system', resource: 'health' }), false);
  });

  test('db:* covers databases that do not exist yet; grants are OR-ed', () => {
    const authority = new Authority([
      resolveGrant(parsePermissionString('db:*:write'), idOf),
      resolveGrant(parsePermissionString('db:sensors:read'), idOf),
    ]);
    assert.equal(authority.allows({ kind: 'db', dbId: null, actions: write }), true);
    assert.equal(authority.allows({ kind: 'db', dbId: 1, actions: readWrite }), true);
    assert.equal(authority.allows({ kind: 'db', dbId: 2, actions: readWrite }), false);
  });

  test('admin allows everything; system grants per resource', () => {
    const admin = new Authority([{ type: 'admin' }]);
    assert.equal(admin.allows({ kind: 'admin' }), true);
    assert.equal(admin.allows({ kind: 'db', dbId: 9, actions: readWrite }), true);
    const probes = new Authority([resolveGrant(parsePermissionString('system:health,ping:read'), idOf)]);
    assert.equal(probes.allows({ kind: 'system', resource: 'ping' }), true);
    assert.equal(probes.allows({ kind: 'system', resource: 'metrics' }), false);
  });

  test('covers: a token may only mint subsets of its own rights', () => {
    const parent = new Authority([resolveGrant(parsePermissionString('db:sensors:read,write'), idOf)]);
    const grant = (text: string) => resolveGrant(parsePermissionString(text), idOf);
    assert.equal(parent.covers([grant('db:sensors:read')]), true);
    assert.equal(parent.covers([grant('db:sensors,other:read')]), false);
    assert.equal(parent.covers([grant('db:*:read')]), false);
    assert.equal(parent.covers([grant('system:health:read')]), false);
    assert.equal(parent.covers([{ type: 'admin' }]), false);
    assert.equal(new Authority([{ type: 'admin' }]).covers([{ type: 'admin' }, grant('db:*:read')]), true);
  });
});

describe('user input never reaches Object.prototype', () => {
  test('constructor, toString and __proto__ are refused with a 400 naming the field', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      rejects(
        () => validatePermission({ resource_type: 'db', resource_names: ['sensors'], actions: [name] }),
        /permissions\.actions/,
        new RegExp(`unknown database action '${name}'`),
      );
      rejects(
        () => validatePermission({ resource_type: 'system', resource_names: [name], actions: ['read'] }),
        /permissions\.resource_names/,
        new RegExp(`unknown system resource '${name}'`),
      );
      rejects(() => parsePermissionString(`db:sensors:read,${name}`), /actions/, /unknown database action/);
    }
  });
});
