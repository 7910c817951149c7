import { expect } from 'chai';
import request from 'supertest';
import { testApp, type TestApp } from '../helpers/app.ts';

describe('GET /api/v1/me abilities', () => {
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  it("gives each role the operations the gate lets it call, with the reach, and leaves public ones out", async () => {
    const registrar = (await request(t.app).get('/api/v1/me').set(t.auth('registrar')).expect(200)).body.abilities;
    expect(registrar.createResource).to.equal('own');
    expect(registrar).not.to.have.property('approveResource');
    expect(registrar).not.to.have.property('searchOpenDatasets');
    const officer = (await request(t.app).get('/api/v1/me').set(t.auth('officer')).expect(200)).body.abilities;
    expect(officer.approveResource).to.equal('own');
    const authority = (await request(t.app).get('/api/v1/me').set(t.auth('authority')).expect(200)).body.abilities;
    expect(authority.publishResource).to.equal('any');
    expect(authority).not.to.have.property('createResource');
  });

  it('follows what the gate does: an ability the registrar lacks is refused, one it has is not', async () => {
    const abilities = (await request(t.app).get('/api/v1/me').set(t.auth('registrar')).expect(200)).body.abilities;
    expect(abilities).not.to.have.property('createPrincipal');
    await request(t.app).post('/api/v1/principals').set(t.auth('registrar')).send({ login: 'x.y', displayName: 'x', roles: ['registrar'] }).expect(403);
    expect(abilities).to.have.property('listTokens');
    await request(t.app).get('/api/v1/tokens').set(t.auth('registrar')).expect(200);
  });

  it('gives a read-only token no write', async () => {
    const created = await request(t.app).post('/api/v1/tokens').set(t.auth('officer')).send({ name: 'reader', scopes: ['read'] }).expect(201);
    const me = await request(t.app).get('/api/v1/me').set({ Authorization: `Bearer ${created.body.secret}` }).expect(200);
    expect(me.body.abilities).to.have.property('getResourceHistory');
    expect(me.body.abilities).not.to.have.property('approveResource');
    expect(me.body.abilities).not.to.have.property('createToken');
  });
});
