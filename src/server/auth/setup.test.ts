import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../audit/verify.js';
import { createMetadataStore } from '../../metadata/index.js';
import type { MetadataConfig } from '../../metadata/index.js';
import { RegistryError } from '../../registry/errors.js';
import { startPostgres } from '../../testing/postgres.js';
import type { PostgresServer } from '../../testing/postgres.js';
import type { AccessRequest } from '../distribution/access.js';
import { createSecurity } from './setup.js';

const cheap = { memoryCost: 256, timeCost: 1, parallelism: 1 };
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

function suite(name: string, config: () => Promise<MetadataConfig>): void {
  describe(`createSecurity on ${name} (through the metadata migrations)`, () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'portcullis-setup-'));
    });
    afterAll(async () => rm(dataDir, { recursive: true, force: true }));

    it('creates the admin once, persists the key, and gates /v2 through the AccessControl', async () => {
      const meta = await createMetadataStore(await config());
      await meta.migrate();
      const sec = await createSecurity({ db: meta.database.db, dataDir, hashParams: cheap, adminPassword: 'first-admin-password' });
      expect(sec.initialAdmin).toEqual({ name: 'admin', password: 'first-admin-password', generated: false });
      await sec.identity.createProject({ name: 'pub', public: true });
      await sec.identity.createProject({ name: 'priv' });

      const app = Fastify();
      app.post<{ Body: AccessRequest }>('/check', async (req, reply) => {
        try {
          const p = await sec.accessControl.authorize(req, req.body);
          const canPullPriv = await sec.accessControl.canPull(p, 'priv/app');
          return { principal: p, canPullPriv };
        } catch (err) {
          if (!(err instanceof RegistryError)) throw err;
          return reply.code(err.status).headers(err.headers).send(err.toBody());
        }
      });
      const check = (body: AccessRequest, auth?: string) =>
        app.inject({ method: 'POST', url: '/check', payload: body, headers: auth ? { authorization: auth } : {} });

      const anonPub = await check({ type: 'repository', repository: 'pub/app', actions: ['pull'] });
      expect(anonPub.json()).toEqual({ principal: { kind: 'anonymous', name: 'anonymous' }, canPullPriv: false });
      const anonPriv = await check({ type: 'repository', repository: 'priv/app', actions: ['pull'] });
      expect(anonPriv.statusCode).toBe(401);
      expect(anonPriv.headers['www-authenticate']).toContain('scope="repository:priv/app:pull"');
      const admin = await check({ type: 'catalog' }, basic('admin', 'first-admin-password'));
      expect(admin.json()).toEqual({ principal: { kind: 'user', name: 'admin' }, canPullPriv: true });
      await sec.identity.createUser({ name: 'eve', password: 'eve-password' });
      const eve = await check({ type: 'repository', repository: 'priv/app', actions: ['pull', 'push'] }, basic('eve', 'eve-password'));
      expect(eve.statusCode).toBe(403);
      expect(eve.json().errors[0].code).toBe('DENIED');
      await sec.close();
      expect((await verifyChain(sec.audit.store, sec.auditVerifiers)).ok).toBe(true);
      await app.close();

      const again = await createSecurity({ db: meta.database.db, dataDir, hashParams: cheap });
      expect(again.initialAdmin).toBeNull();
      expect(again.key.keyId).toBe(sec.key.keyId);
      await again.close();
      await meta.close();
    });
  });
}

suite('SQLite', async () => ({ driver: 'sqlite', path: join(await mkdtemp(join(tmpdir(), 'portcullis-setup-db-')), 'metadata.db') }));

describe('PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => server?.stop());
  suite('PostgreSQL', async () => ({ driver: 'postgres', url: await server.createDatabase(`setup_${process.pid}`) }));
});
