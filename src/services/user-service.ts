import type { VerifiedSession } from '../auth/oidc/oidc-verifier.ts';
import { displayNameOf, type SessionUsers } from '../auth/oidc/session-authenticator.ts';
import type { Principal } from '../auth/principal.ts';
import type { UsageTracker } from '../auth/usage-tracker.ts';
import type { AuditEntry, Catalog, UserPatch, UserRecord, UserRole } from '../catalog/catalog.ts';
import { fail, isFluxgateError } from '../domain/errors.ts';
import type { UserDirectory } from './user-directory.ts';
import { parseGroup, validateEmail, validateSubject, validateText } from './user-input.ts';

/** The actor of a user change as the audit trail records it. */
export interface UserActor {
  tokenId: number | null;
  name: string;
  sourceIp: string | null;
  subject?: string;
  /** As the audit log names actors: `operator`, `management`, `user`, …; the server (`system`) when absent. */
  kind?: string;
  requestId?: string | null;
}

export interface UserView {
  subject: string;
  group: UserRole;
  source: UserRecord['source'];
  email: string | null;
  displayName: string | null;
  status: 'active' | 'disabled';
  createdAt: number;
  updatedAt: number | null;
  lastSeenAt: number | null;
}

export interface AddUserInput {
  subject: string;
  group: string;
  email?: string | null;
  displayName?: string | null;
  disabled?: boolean;
}

export interface UpdateUserInput {
  group?: string;
  email?: string | null;
  displayName?: string | null;
  disabled?: boolean;
}

/** The services' one authorization model: allows the action or throws (and audits) the refusal. */
export type AuthorizeUserAction = (
  principal: Principal,
  action: 'user.list' | 'user.get' | 'user.add' | 'user.update' | 'user.remove',
  target: { kind: 'user'; name?: string | null },
) => Promise<void>;

export interface UserServiceDeps {
  catalog: Catalog;
  authorize: AuthorizeUserAction;
  directory: UserDirectory;
  lastSeen: UsageTracker;
  /** `--oidc-admin-subjects`: Admins by the server's configuration, not editable through the API. */
  adminSubjects: ReadonlySet<string>;
  now: () => number;
}

/**
 * Users and their groups: the only place user rules live. Authorization of the public methods is
 * the caller's `authorize` (the services' one model); the sign-in path (`SessionUsers`) and the
 * startup list are the server's own and take no principal.
 */
export class UserService implements SessionUsers {
  constructor(private readonly deps: UserServiceDeps) {}

  async list(principal: Principal): Promise<UserView[]> {
    await this.deps.authorize(principal, 'user.list', { kind: 'user' });
    return (await this.deps.catalog.listUsers()).map((user) => this.view(user));
  }

  async get(principal: Principal, subject: string): Promise<UserView> {
    await this.deps.authorize(principal, 'user.get', { kind: 'user', name: subject });
    return this.view(await this.currentOrFail(validateSubject(subject)));
  }

  /** The user a sign-in stands for, without authorization: any user may see themselves. */
  async self(subject: string): Promise<UserView> {
    return this.view(await this.currentOrFail(subject));
  }

  async add(principal: Principal, input: AddUserInput): Promise<UserView> {
    await this.deps.authorize(principal, 'user.add', { kind: 'user', name: input.subject });
    const actor = actorOf(principal);
    const subject = validateSubject(input.subject);
    const role = parseGroup(input.group);
    this.refuseDeclared(subject, 'add');
    const record = await this.deps.catalog.createUser(
      {
        subject,
        role,
        source: 'manual',
        email: validateEmail(input.email ?? null),
        displayName: validateText(input.displayName ?? null, 'displayName', 200),
        disabled: input.disabled ?? false,
        createdAt: this.deps.now(),
      },
      this.audit(actor, 'user.add', subject, { group: role, disabled: input.disabled ?? false }),
    );
    return this.view(this.remember(record));
  }

  async update(principal: Principal, subject: string, input: UpdateUserInput): Promise<UserView> {
    await this.deps.authorize(principal, 'user.update', { kind: 'user', name: subject });
    const actor = actorOf(principal);
    const target = validateSubject(subject);
    const patch: UserPatch = {};
    if (input.group !== undefined) {
      patch.role = parseGroup(input.group);
      // Set by an Admin, the group no longer follows the provider's claim.
      patch.source = 'manual';
    }
    if (input.email !== undefined) patch.email = validateEmail(input.email);
    if (input.displayName !== undefined) patch.displayName = validateText(input.displayName, 'displayName', 200);
    if (input.disabled !== undefined) patch.disabledAt = input.disabled ? this.deps.now() : null;
    if (Object.keys(patch).length === 0) {
      fail('INVALID_INPUT', 'nothing to change: give a group, an email, a display name or disabled', {
        field: 'group',
      });
    }
    if (patch.role !== undefined || patch.disabledAt !== undefined) this.refuseDeclared(target, 'change the group of');
    const current = await this.currentOrFail(target);
    if (patch.disabledAt !== undefined && (current.disabledAt !== null) === input.disabled) delete patch.disabledAt;
    const details: Record<string, unknown> = { ...(patch.role === undefined ? {} : { group: patch.role }) };
    if (input.disabled !== undefined) details.disabled = input.disabled;
    const record = await this.deps.catalog.updateUser(
      target,
      patch,
      this.deps.now(),
      this.audit(actor, 'user.update', target, details, current.id),
    );
    return this.view(this.remember(record));
  }

  async remove(principal: Principal, subject: string): Promise<void> {
    await this.deps.authorize(principal, 'user.remove', { kind: 'user', name: subject });
    const actor = actorOf(principal);
    const target = validateSubject(subject);
    this.refuseDeclared(target, 'remove');
    const current = await this.currentOrFail(target);
    const at = this.deps.now();
    await this.deps.catalog.removeUser(target, at, this.audit(actor, 'user.remove', target, {}, current.id));
    this.deps.directory.put({ ...current, removedAt: at });
  }

  /**
   * Makes `--oidc-admin-subjects` true in the catalog at start: each listed subject an Admin, and
   * the users an earlier list made Admins but this one no longer names, removed.
   */
  async declareAdmins(actor: UserActor): Promise<void> {
    for (const subject of this.deps.adminSubjects) {
      const existing = await this.deps.catalog.findUserBySubject(subject);
      if (existing === undefined || existing.removedAt !== null) {
        const record = await this.deps.catalog.createUser(
          {
            subject,
            role: 'admin',
            source: 'startup',
            email: null,
            displayName: null,
            disabled: false,
            createdAt: this.deps.now(),
          },
          this.audit(actor, 'user.add', subject, { group: 'admin', source: 'startup' }),
        );
        this.deps.directory.put(record);
      } else if (existing.role !== 'admin' || existing.source !== 'startup' || existing.disabledAt !== null) {
        const record = await this.deps.catalog.updateUser(
          subject,
          { role: 'admin', source: 'startup', disabledAt: null },
          this.deps.now(),
          this.audit(actor, 'user.update', subject, { group: 'admin', source: 'startup' }, existing.id),
        );
        this.deps.directory.put(record);
      }
    }
    for (const user of await this.deps.catalog.listUsers()) {
      if (user.source !== 'startup' || this.deps.adminSubjects.has(user.subject)) continue;
      const at = this.deps.now();
      await this.deps.catalog.removeUser(
        user.subject,
        at,
        this.audit(actor, 'user.remove', user.subject, { reason: 'no longer in --oidc-admin-subjects' }, user.id),
      );
      this.deps.directory.put({ ...user, removedAt: at });
    }
  }

  current(subject: string): UserRecord | undefined {
    return this.deps.directory.get(subject);
  }

  async provision(session: VerifiedSession, role: UserRole): Promise<UserRecord | undefined> {
    const known = await this.deps.catalog.findUserBySubject(session.subject);
    if (known !== undefined) return known.removedAt === null ? this.remember(known) : undefined;
    const displayName = displayNameOf(session);
    const email = typeof session.claims.email === 'string' ? session.claims.email : null;
    try {
      const record = await this.deps.catalog.createUser(
        {
          subject: session.subject,
          role,
          source: 'claim',
          email,
          displayName: displayName === session.subject ? null : displayName,
          disabled: false,
          createdAt: this.deps.now(),
        },
        this.audit(selfActor(session), 'user.add', session.subject, { group: role, source: 'claim' }),
      );
      return this.remember(record);
    } catch (error) {
      // Two first requests at once: the other one added the user.
      if (!(isFluxgateError(error) && error.code === 'USER_EXISTS')) throw error;
      const record = await this.deps.catalog.findUserBySubject(session.subject);
      return record === undefined || record.removedAt !== null ? undefined : this.remember(record);
    }
  }

  async followClaim(user: UserRecord, role: UserRole, session: VerifiedSession): Promise<UserRecord> {
    const record = await this.deps.catalog.updateUser(
      user.subject,
      { role },
      this.deps.now(),
      this.audit(selfActor(session), 'user.update', user.subject, { group: role, source: 'claim' }, user.id),
    );
    return this.remember(record);
  }

  seen(user: UserRecord, at: number): void {
    this.deps.lastSeen.touch(user.id, at);
  }

  /** This node sees its own change at once, before the change feed brings it. */
  private remember(record: UserRecord): UserRecord {
    this.deps.directory.put(record);
    return record;
  }

  private async currentOrFail(subject: string): Promise<UserRecord> {
    const record = await this.deps.catalog.findUserBySubject(subject);
    if (record === undefined || record.removedAt !== null)
      fail('USER_NOT_FOUND', `no user has the subject '${subject}'`);
    return record;
  }

  private refuseDeclared(subject: string, verb: string): void {
    if (!this.deps.adminSubjects.has(subject)) return;
    fail(
      'USER_DECLARED_AT_STARTUP',
      `cannot ${verb} '${subject}': the server makes them an Admin (--oidc-admin-subjects); change that flag instead`,
      { field: 'subject' },
    );
  }

  private view(record: UserRecord): UserView {
    return {
      subject: record.subject,
      group: record.role,
      source: record.source,
      email: record.email,
      displayName: record.displayName,
      status: record.disabledAt === null ? 'active' : 'disabled',
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      lastSeenAt: maxOrNull(record.lastSeenAt, this.deps.lastSeen.pendingFor(record.id)),
    };
  }

  private audit(
    actor: UserActor,
    action: string,
    subject: string,
    details: Record<string, unknown>,
    targetId: number | null = null,
  ): AuditEntry {
    return {
      at: this.deps.now(),
      actorTokenId: actor.tokenId,
      actorName: actor.name,
      action,
      targetKind: 'user',
      targetId,
      targetName: subject,
      outcome: 'ok',
      sourceIp: actor.sourceIp,
      details: actor.subject === undefined ? details : { actorSubject: actor.subject, ...details },
      actorKind: actor.kind ?? 'system',
      requestId: actor.requestId ?? null,
    };
  }
}

function actorOf(principal: Principal): UserActor {
  return {
    tokenId: principal.tokenId,
    name: principal.name,
    sourceIp: principal.sourceIp,
    ...(principal.kind === 'user' ? { subject: principal.subject } : {}),
    kind: principal.kind === 'token' ? principal.tokenKind : principal.kind,
    requestId: principal.requestId ?? null,
  };
}

function selfActor(session: VerifiedSession): UserActor {
  return { tokenId: null, name: displayNameOf(session), sourceIp: null, subject: session.subject, kind: 'user' };
}

function maxOrNull(a: number | null, b: number | undefined): number | null {
  if (b === undefined) return a;
  return a === null ? b : Math.max(a, b);
}
