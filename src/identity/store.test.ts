import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { IdentityError } from './errors.js';
import type { IdentityTables } from './schema.js';
import { IdentityStore } from './store.js';
import { postgresTestDb, sqliteTestDb, testHasher } from './testdb.js';

const page = { offset: 0, limit: 100 };

function suite(name: string, open: () => Promise<Kysely<IdentityTables>>): void {
  describe(`IdentityStore on ${name}`, () => {
    let db: Kysely<IdentityTables>;
    let store: IdentityStore;
    beforeAll(async () => {
      db = await open();
      store = new IdentityStore(db, testHasher());
    });
    afterAll(async () => db?.destroy());

    it('creates the initial admin once, with a generated password that works', async () => {
      const first = await store.ensureInitialAdmin();
      expect(first?.name).toBe('admin');
      expect(first?.generated).toBe(true);
      expect(first!.password.length).toBeGreaterThanOrEqual(20);
      expect(await store.ensureInitialAdmin()).toBeNull();
      const admin = await store.verifyUserPassword('admin', first!.password);
      expect(admin?.admin).toBe(true);
      expect(await store.verifyUserPassword('admin', 'wrong-password')).toBeUndefined();
      expect(await store.verifyUserPassword('nobody', first!.password)).toBeUndefined();
    });

    it('manages users: create, duplicate, list, password change, last-admin guard', async () => {
      await store.createUser({ name: 'alice', password: 'alice-password' });
      await expect(store.createUser({ name: 'alice', password: 'another-pass' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(store.createUser({ name: 'bad name', password: 'another-pass' })).rejects.toMatchObject({ code: 'INVALID', field: 'name' });
      await expect(store.createUser({ name: 'bob', password: 'short' })).rejects.toMatchObject({ code: 'INVALID', field: 'password' });
      const before = await store.getUser('alice');
      await store.setPassword('alice', 'new-alice-password');
      expect(await store.verifyUserPassword('alice', 'alice-password')).toBeUndefined();
      const after = await store.verifyUserPassword('alice', 'new-alice-password');
      expect(after?.credentialVersion).toBe(before!.credentialVersion + 1);
      const list = await store.listUsers(page);
      expect(list.items.map((u) => u.name)).toEqual(['admin', 'alice']);
      expect(list.total).toBe(2);
      await expect(store.deleteUser('admin')).rejects.toBeInstanceOf(IdentityError);
    });

    it('manages projects, visibility and members', async () => {
      await store.createProject({ name: 'pub', public: true });
      await store.createProject({ name: 'secret' });
      await store.createProject({ name: 'team' });
      await expect(store.createProject({ name: 'Bad/Name' })).rejects.toMatchObject({ code: 'INVALID' });
      await store.createUser({ name: 'carol', password: 'carol-password' });
      await store.addMember('team', 'carol', 'developer');
      await expect(store.addMember('team', 'carol', 'guest')).rejects.toMatchObject({ code: 'CONFLICT' });
      const carol = (await store.getUser('carol'))!;
      const visible = await store.listProjects({ kind: 'user', userId: carol.id }, page);
      expect(visible.items.map((p) => p.name)).toEqual(['pub', 'team']);
      expect(visible.total).toBe(2);
      expect((await store.listProjects({ kind: 'public' }, page)).items.map((p) => p.name)).toEqual(['pub']);
      expect((await store.listProjects({ kind: 'all' }, page)).total).toBe(3);
      await store.setMemberRole('team', 'carol', 'maintainer');
      const team = (await store.getProject('team'))!;
      expect(await store.roleOf(team.id, carol.id)).toBe('maintainer');
      expect((await store.listMembers('team', page)).items).toEqual([
        { projectId: team.id, userId: carol.id, userName: 'carol', role: 'maintainer' },
      ]);
      await store.removeMember('team', 'carol');
      expect(await store.roleOf(team.id, carol.id)).toBeNull();
      await expect(store.removeMember('team', 'carol')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await store.setProjectPublic('secret', true);
      expect((await store.getProject('secret'))?.public).toBe(true);
    });

    it('creates robots with a one-time secret, verifies, revokes, deletes with the project', async () => {
      await store.createProject({ name: 'ci' });
      const expires = new Date(Date.now() + 86_400_000);
      const { robot, secret } = await store.createRobot({ project: 'ci', name: 'builder', actions: ['pull', 'push'], expiresAt: expires });
      expect(robot.name).toBe('robot$ci+builder');
      expect(robot.actions).toEqual(['pull', 'push']);
      expect(robot.expiresAt?.toISOString()).toBe(expires.toISOString());
      await expect(store.createRobot({ project: 'ci', name: 'builder', actions: ['pull'] })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(store.createRobot({ project: 'ci', name: 'x', actions: ['sign' as 'pull'] })).rejects.toMatchObject({ code: 'INVALID' });
      expect((await store.verifyRobotSecret('robot$ci+builder', secret))?.id).toBe(robot.id);
      expect(await store.verifyRobotSecret('robot$ci+builder', 'wrong')).toBeUndefined();
      expect(await store.verifyRobotSecret('robot$ci+nobody', secret)).toBeUndefined();
      await store.revokeRobot('ci', 'builder');
      expect((await store.verifyRobotSecret('robot$ci+builder', secret))?.revoked).toBe(true);
      expect((await store.listRobots('ci', page)).total).toBe(1);
      await store.deleteProject('ci');
      expect(await store.getRobot('robot$ci+builder')).toBeUndefined();
    });
  });
}

suite('SQLite', () => sqliteTestDb<IdentityTables>());

describe('on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => server?.stop());
  suite('PostgreSQL', () => postgresTestDb<IdentityTables>(server, 'identity'));
});

describe('races on SQLite', () => {
  it('concurrent creates of one name give one user and CONFLICTs, never a raw database error', async () => {
    const db = await sqliteTestDb<IdentityTables>();
    const store = new IdentityStore(db, testHasher());
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.createUser({ name: 'dup', password: 'dup-password' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    await db.destroy();
  });

  it('concurrent first starts create the admin once', async () => {
    const db = await sqliteTestDb<IdentityTables>();
    const store = new IdentityStore(db, testHasher());
    const admins = await Promise.all([store.ensureInitialAdmin(), store.ensureInitialAdmin(), store.ensureInitialAdmin()]);
    expect(admins.filter((a) => a !== null)).toHaveLength(1);
    expect((await store.listUsers({ offset: 0, limit: 10 })).total).toBe(1);
    await db.destroy();
  });
});
