import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { principalCreator } from '../../server/src/auth/accounts/commands.ts';
import { tokenCreator } from '../../server/src/auth/tokens.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { loadConfig } from '../../server/src/config.ts';
import { makePrincipal, testApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts';
import { resourceDoc } from '../helpers/census.ts';
import { odx } from '../helpers/cli.ts';

/** Issue 14, defect 8: no one both does a thing and checks it, and no one acts as someone else. */
describe('separation of duties', function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  const step = (id: number, s: string, who: { Authorization: string }) => request(t.app).post(`/api/v1/resources/${id}/${s}`).set(who).send({});

  describe('four eyes on the catalogue (ODX_FOUR_EYES, on by default)', () => {
    it('an officer who created and submitted an entry may not approve it; another officer of the department may', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('officer')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await step(id, 'submit', t.auth('officer')).expect(200);
      const refused = await step(id, 'approve', t.auth('officer')).expect(403);
      expect(refused.body.error.message).to.match(/^four eyes: you wrote version 1 of resource \d+, so another officer must approve it/);
      expect(refused.body.error.details).to.deep.include({ rule: 'four-eyes', version: 1, action: 'create' });
      expect((await t.knex('odx.resources').where({ id }).first('status')).status).to.equal('submitted');
      const colleague = await makePrincipal(t.knex, `a.officer2.${id}`, t.deptA.id, ['officer']);
      await step(id, 'approve', { Authorization: `Bearer ${colleague.token}` }).expect(200);
    });

    it('counts an edit of the submitted version and the submission itself as authorship, and a registrar\'s entry is the officer\'s to approve', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await request(t.app).put(`/api/v1/resources/${id}`).set(t.auth('officer')).send(resourceDoc(t.deptA.uscc, { name: '企业营业执照信息（修订）' })).expect(200);
      await step(id, 'submit', t.auth('registrar')).expect(200);
      expect((await step(id, 'approve', t.auth('officer')).expect(403)).body.error.details).to.deep.include({ version: 2, action: 'update' });
      const plain = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await step(plain, 'submit', t.auth('registrar')).expect(200);
      await step(plain, 'approve', t.auth('officer')).expect(200);
    });

    it('can be turned off for a department of one officer', async () => {
      expect(loadConfig({} as NodeJS.ProcessEnv).fourEyes).to.equal(true);
      expect(loadConfig({ ODX_FOUR_EYES: 'off' } as NodeJS.ProcessEnv).fourEyes).to.equal(false);
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('officer')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await step(id, 'submit', t.auth('officer')).expect(200);
      const officer = { kind: 'principal' as const, id: t.principals.officer.id, label: 'principal:a.officer', departmentId: t.deptA.id };
      const approved = await runCommand(t.knex, { actor: officer }, (ctx) => resourceStepper(ctx, id, 'approve', undefined, { fourEyes: false }));
      expect(approved.status).to.equal('approved');
    });
  });

  describe('tokens are minted for oneself; only admins mint them for others', () => {
    it('refuses an officer a token for a registrar of the department, and lets an admin make one', async () => {
      const body = { name: 'act as registrar', principalId: t.principals.registrar.id, expiresInDays: 30 };
      await request(t.app).post('/api/v1/tokens').set(t.auth('officer')).send(body).expect(403);
      expect(await t.knex('odx.tokens').where({ principal_id: t.principals.registrar.id, name: body.name }).first()).to.equal(undefined);
      const made = await request(t.app).post('/api/v1/tokens').set(t.auth('admin')).send(body).expect(201);
      expect(made.body.principalId).to.equal(t.principals.registrar.id);
      await request(t.app).post('/api/v1/tokens').set(t.auth('officer')).send({ name: 'mine', expiresInDays: 30 }).expect(201);
    });
  });

  describe('the consumer role belongs to system credentials, read-only', () => {
    it('is granted to no person, by an officer or an admin', async () => {
      const person = { login: 'a.person.consumer', displayName: '张三', departmentId: t.deptA.id, roles: ['consumer'] };
      for (const who of [t.auth('officer'), t.auth('admin')]) {
        const res = await request(t.app).post('/api/v1/principals').set(who).send(person).expect(400);
        expect(JSON.stringify(res.body.error)).to.contain('consumer role comes only with a consumer credential').and.contain('接口凭证');
      }
      const res = await request(t.app).patch(`/api/v1/principals/${t.principals.registrar.id}`).set(t.auth('officer')).send({ roles: ['registrar', 'consumer'] }).expect(400);
      expect(JSON.stringify(res.body.error)).to.contain('consumer role');
      expect((await t.knex('odx.principals').where({ id: t.principals.registrar.id }).first('roles')).roles).to.deep.equal(['registrar']);
    });

    it('is not honoured on a person an older installation made, and a credential reads with its token read-only whatever it was made with', async () => {
      const legacy = await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) =>
        principalCreator(ctx, { login: 'a.legacy.consumer', displayName: '旧消费者', departmentId: t.deptA.id, roles: ['registrar', 'consumer'], kind: 'user' }),
      );
      expect(legacy.roles).to.deep.equal(['registrar', 'consumer']);
      const tok = await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => tokenCreator(ctx, { principalId: legacy.id, name: 'legacy', scopes: ['read'], expiresAt: null }));
      const as = { Authorization: `Bearer ${tok.secret}` };
      expect((await request(t.app).get('/api/v1/me').set(as).expect(200)).body.roles).to.deep.equal(['registrar']);
      const shared = '/api/v1/shared/3070220400031%2F000038/rows';
      await request(t.app).get(shared).set(t.auth('consumer')).expect(404); // a consumer passes the gate to find no such entry
      // as a registrar (the role it keeps) it reads its department's grants, as every registrar does in the console: there is none here
      await request(t.app).get(shared).set(as).expect(404);
      // a credential's token with write scope, as an older installation may hold: only read is honoured
      await t.knex('odx.tokens').where({ principal_id: t.principals.consumer.id }).update({ scopes: ['read', 'write'] });
      const cred = await request(t.app).get('/api/v1/me').set(t.auth('consumer')).expect(200);
      expect(cred.body).to.deep.include({ roles: ['consumer'], scopes: ['read'] });
      await request(t.app).post('/api/v1/tokens').set(t.auth('consumer')).send({ name: 'rw', scopes: ['read'] }).expect(403);
    });
  });

  describe('one token lifetime rule for the API and the command line', () => {
    it('refuses odx token create --days 5000 as the API refuses it, and changes nothing', async () => {
      const api = await request(t.app).post('/api/v1/tokens').set(t.auth('admin')).send({ name: 'long', expiresInDays: 5000 }).expect(400);
      expect(JSON.stringify(api.body.error)).to.contain('expiresInDays');
      const before = await t.knex('odx.tokens').count<{ c: number }[]>('* as c');
      const env = { DATABASE_URL: t.db.url, ODX_HOME: t.home };
      const cli = await odx(['token', 'create', '--login', 'a.registrar', '--days', '5000'], env);
      expect(cli.code).to.equal(2);
      expect(cli.stderr).to.contain('a token may live 1 to 3650 days, not 5000').and.contain('令牌有效期');
      expect(await t.knex('odx.tokens').count<{ c: number }[]>('* as c')).to.deep.equal(before);
    });
  });
});
