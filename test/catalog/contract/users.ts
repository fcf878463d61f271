import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewUser } from '../../../src/catalog/catalog.ts';
import { audit, type ContractContext, rejectsWith, rowCounts, uniqueName } from './fixtures.ts';

const AT = 1_700_000_500_000;
const userAudit = (action: string) => audit({ action, targetKind: 'user', actorName: 'Dana', at: AT });

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  return {
    subject: uniqueName('sub'),
    role: 'member',
    source: 'manual',
    email: 'dana@example.com',
    displayName: 'Dana',
    disabled: false,
    createdAt: AT,
    ...overrides,
  };
}

export function userContract(ctx: ContractContext): void {
  test('createUser returns the record that listUsers, getUser and findUserBySubject show', async () => {
    const input = newUser({ role: 'auditor', source: 'claim' });
    const created = await ctx.catalog.createUser(input, userAudit('user.add'));
    assert.deepEqual(created, {
      id: created.id,
      subject: input.subject,
      role: 'auditor',
      source: 'claim',
      email: 'dana@example.com',
      displayName: 'Dana',
      createdAt: AT,
      updatedAt: null,
      disabledAt: null,
      removedAt: null,
      lastSeenAt: null,
    });
    assert.deepEqual(await ctx.catalog.getUser(created.id), created);
    assert.deepEqual(await ctx.catalog.findUserBySubject(input.subject), created);
    assert.deepEqual(
      (await ctx.catalog.listUsers()).find((user) => user.id === created.id),
      created,
    );
    assert.equal(await ctx.catalog.findUserBySubject(uniqueName('nobody')), undefined);
    const disabled = await ctx.catalog.createUser(newUser({ disabled: true }), userAudit('user.add'));
    assert.equal(disabled.disabledAt, AT);
  });

  test('a subject that is a current user cannot be added twice, and nothing is written', async () => {
    const input = newUser();
    await ctx.catalog.createUser(input, userAudit('user.add'));
    const before = await rowCounts(ctx.harness);
    await rejectsWith(ctx.catalog.createUser(input, userAudit('user.add')), 'USER_EXISTS', new RegExp(input.subject));
    assert.deepEqual(await rowCounts(ctx.harness), before);
  });

  test('concurrent adds of one subject: one wins, the others get USER_EXISTS', async () => {
    const input = newUser();
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map(() => ctx.catalog.createUser(input, userAudit('user.add'))),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.equal((outcome.reason as { code?: string }).code, 'USER_EXISTS');
    }
  });

  test('updateUser changes only the fields given, and refuses an unknown subject', async () => {
    const user = await ctx.catalog.createUser(newUser(), userAudit('user.add'));
    const updated = await ctx.catalog.updateUser(
      user.subject,
      { role: 'admin', disabledAt: AT + 1 },
      AT + 1,
      userAudit('user.update'),
    );
    assert.deepEqual(updated, { ...user, role: 'admin', disabledAt: AT + 1, updatedAt: AT + 1 });
    const cleared = await ctx.catalog.updateUser(
      user.subject,
      { email: null, disabledAt: null },
      AT + 2,
      userAudit('user.update'),
    );
    assert.deepEqual(cleared, { ...updated, email: null, disabledAt: null, updatedAt: AT + 2 });
    const before = await rowCounts(ctx.harness);
    await rejectsWith(
      ctx.catalog.updateUser(uniqueName('nobody'), { role: 'member' }, AT, userAudit('user.update')),
      'USER_NOT_FOUND',
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
  });

  test('a removed user leaves the list, cannot be updated or removed again, and can be added back', async () => {
    const user = await ctx.catalog.createUser(newUser({ role: 'admin' }), userAudit('user.add'));
    await ctx.catalog.removeUser(user.subject, AT + 5, userAudit('user.remove'));
    assert.equal(
      (await ctx.catalog.listUsers()).some((u) => u.id === user.id),
      false,
    );
    assert.equal((await ctx.catalog.findUserBySubject(user.subject))?.removedAt, AT + 5);
    await rejectsWith(ctx.catalog.removeUser(user.subject, AT, userAudit('user.remove')), 'USER_NOT_FOUND');
    await rejectsWith(ctx.catalog.updateUser(user.subject, {}, AT, userAudit('user.update')), 'USER_NOT_FOUND');
    const back = await ctx.catalog.createUser(
      newUser({ subject: user.subject, role: 'auditor', createdAt: AT + 9 }),
      userAudit('user.add'),
    );
    assert.equal(back.id, user.id);
    assert.equal(back.role, 'auditor');
    assert.equal(back.removedAt, null);
    assert.equal(back.createdAt, AT + 9);
  });

  test('user changes are audited and reach the change feed under the entity user', async () => {
    const start = await ctx.catalog.latestVersion();
    const user = await ctx.catalog.createUser(newUser(), userAudit('user.add'));
    await ctx.catalog.updateUser(user.subject, { role: 'auditor' }, AT, userAudit('user.update'));
    await ctx.catalog.removeUser(user.subject, AT, userAudit('user.remove'));
    const changes = await ctx.catalog.changesSince(start, 10);
    assert.deepEqual(
      changes.map((c) => [c.entity, c.entityId]),
      [
        ['user', user.id],
        ['user', user.id],
        ['user', user.id],
      ],
    );
    const records = await ctx.catalog.listAudit({ limit: 3 });
    assert.deepEqual(
      records.map((r) => [r.action, r.targetKind, r.targetId, r.actorName]),
      [
        ['user.remove', 'user', user.id, 'Dana'],
        ['user.update', 'user', user.id, 'Dana'],
        ['user.add', 'user', user.id, 'Dana'],
      ],
    );
  });

  test('recordLastSeen keeps the newest time and never goes back', async () => {
    const a = await ctx.catalog.createUser(newUser(), userAudit('user.add'));
    const b = await ctx.catalog.createUser(newUser(), userAudit('user.add'));
    await ctx.catalog.recordLastSeen([
      { userId: a.id, at: AT + 10 },
      { userId: a.id, at: AT + 30 },
      { userId: b.id, at: AT + 20 },
    ]);
    await ctx.catalog.recordLastSeen([{ userId: a.id, at: AT + 15 }]);
    assert.equal((await ctx.catalog.getUser(a.id))?.lastSeenAt, AT + 30);
    assert.equal((await ctx.catalog.getUser(b.id))?.lastSeenAt, AT + 20);
  });
}
