import { expect } from 'chai';
import request from 'supertest';
import { testApp, type TestApp } from '../helpers/app.ts';

describe('unknown body fields', () => {
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  it('refuses a misspelt field with 400 naming it, in Chinese and English, and creates nothing', async () => {
    const before = await t.knex('odx.tokens').count<{ c: string }[]>('* as c');
    const res = await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: '上报脚本', expiresInDay: 7 }).expect(400);
    expect(res.body.error.code).to.equal('bad_request');
    expect(res.body.error.details).to.have.length(1);
    expect(res.body.error.details[0]).to.include({ in: 'body', path: '/expiresInDay' });
    expect(res.body.error.details[0].message).to.contain('未知字段');
    expect(await t.knex('odx.tokens').count<{ c: string }[]>('* as c')).to.deep.equal(before);
  });

  it('finds them nested too, and takes a body with only known fields', async () => {
    const res = await request(t.app)
      .patch(`/api/v1/principals/${t.principals.registrar.id}`)
      .set(t.auth('admin'))
      .send({ displayName: '填报员', roles: ['registrar'], extra: { a: 1 } })
      .expect(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['/extra']);
    await request(t.app).patch(`/api/v1/principals/${t.principals.registrar.id}`).set(t.auth('admin')).send({ displayName: '填报员' }).expect(200);
  });
});
