import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthorityInterner } from '../../src/auth/authority-interner.ts';
import { ADMIN_AUTHORITY } from '../../src/auth/principal.ts';
import { DB_ACTIONS, type Grant } from '../../src/domain/permissions.ts';

const read = (...databases: number[]): Grant => ({ type: 'db', databases, actions: DB_ACTIONS.read });
const write = (...databases: number[]): Grant => ({ type: 'db', databases, actions: DB_ACTIONS.write });

describe('AuthorityInterner', () => {
  test('equal grants share one Authority; different grants do not', () => {
    const interner = new AuthorityInterner();
    const a = interner.intern([read(1, 2), { type: 'system', resources: 1 }]);
    assert.equal(interner.intern([read(1, 2), { type: 'system', resources: 1 }]), a);
    assert.notEqual(interner.intern([read(1, 2)]), a);
    assert.notEqual(interner.intern([read(1, 3), { type: 'system', resources: 1 }]), a);
    assert.notEqual(interner.intern([write(1, 2), { type: 'system', resources: 1 }]), a);
    assert.notEqual(interner.intern([{ type: 'db', databases: '*', actions: DB_ACTIONS.read }]), a);
    assert.equal(interner.size, 5);
  });

  test('an interned Authority answers as a freshly compiled one', () => {
    const interner = new AuthorityInterner();
    interner.intern([read(1), write(2)]);
    const shared = interner.intern([read(1), write(2)]);
    assert.equal(shared.allows({ kind: 'db', dbId: 1, actions: DB_ACTIONS.read }), true);
    assert.equal(shared.allows({ kind: 'db', dbId: 1, actions: DB_ACTIONS.write }), false);
    assert.equal(shared.allows({ kind: 'db', dbId: 2, actions: DB_ACTIONS.write }), true);
    assert.equal(shared.allows({ kind: 'admin' }), false);
  });

  test('any admin grant compiles to the shared admin authority', () => {
    const interner = new AuthorityInterner();
    assert.equal(interner.intern([{ type: 'admin' }]), ADMIN_AUTHORITY);
    assert.equal(interner.intern([read(1), { type: 'admin' }]), ADMIN_AUTHORITY);
    assert.equal(interner.size, 0);
  });

  test('holds a bounded number of grant sets, starting over when full', () => {
    const interner = new AuthorityInterner(2);
    const first = interner.intern([read(1)]);
    interner.intern([read(2)]);
    assert.equal(interner.size, 2);
    const third = interner.intern([read(3)]);
    assert.equal(interner.size, 1);
    assert.equal(interner.intern([read(3)]), third);
    const again = interner.intern([read(1)]);
    assert.notEqual(again, first, 'forgotten grant sets compile anew');
    assert.equal(again.allows({ kind: 'db', dbId: 1, actions: DB_ACTIONS.read }), true);
  });
});
