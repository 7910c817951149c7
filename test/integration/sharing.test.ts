import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { loadConfig } from '../../server/src/config.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { setClock, useCalendar } from '../../server/src/sharing/clock.ts';
import { WorkCalendar } from '../../server/src/sharing/workdays.ts';
import { makeDepartment, makePrincipal, testApp, type Dept, type TestApp } from '../helpers/app.ts';
import { demandDoc, licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { CONDITIONAL, NOT_SHARED, shareDoc, systemOf } from '../helpers/sharing.ts';
import { everyOf } from '../helpers/every.ts';

/**
 * The sharing workflow through the API: A's staff request B's data; B's officer answers; the
 * authority checks and settles disputes. Every path of the state machine, who may take each step,
 * deadlines on a calendar with a 调休 weekend, and the demand the request answers.
 */
describe('sharing workflow: share requests from submission to grant, refusal, dispute and withdrawal', function () {
  this.timeout(120_000);
  let t: TestApp;
  let deptC: Dept;
  let authC: Record<'officer' | 'registrar', { Authorization: string }>;
  const LEGAL = '《优化营商环境条例》第三十五条';

  before(async () => {
    t = await testApp();
    deptC = await makeDepartment(t.knex, '测试丙局');
    const o = await makePrincipal(t.knex, 'c.officer', deptC.id, ['officer']);
    const r = await makePrincipal(t.knex, 'c.registrar', deptC.id, ['registrar']);
    authC = {
      officer: { Authorization: `Bearer ${o.token}` },
      registrar: { Authorization: `Bearer ${r.token}` },
    };
  });
  after(async () => {
    setClock(null);
    useCalendar(null);
    await t.close();
  });
  afterEach(() => {
    setClock(null);
    t.services.config.shareAutoCompliance = true;
  });

  const api = () => request(t.app);
  const submit = (doc: Record<string, unknown>, who = t.auth('registrar'), query = '') => api().post(`/api/v1/share-requests${query}`).set(who).send(doc);
  const step = (id: number, s: string, who: { Authorization: string }, body: object = {}) =>
    api().post(`/api/v1/share-requests/${id}/${s}`).set(who).send(body);
  const ofB = (over: Record<string, unknown> = {}) => publishedResource(t.knex, t.deptB.uscc, over);
  const auditOf = async (type: string, id: number) => {
    await chainPending(t.knex);
    return (
      await t
        .knex('odx.audit_events')
        .where({ target_type: type, target_id: String(id) })
        .orderBy('seq')
    ).map((e: { action: string }) => e.action);
  };

  describe('无条件共享: granted at once, no human step', () => {
    it('answers a request for unconditional data with a grant in the same response (real-time), every step timestamped and audited', async () => {
      const res = await ofB();
      const sent = await submit(shareDoc(res.code)).expect(201);
      expect(sent.body).to.include({
        state: 'granted',
        shareType: 'unconditional',
        accessMode: 'query',
        consumerDepartmentId: t.deptA.id,
        providerDepartmentId: t.deptB.id,
      });
      expect(sent.body.dueAt).to.equal(null);
      expect(sent.body.overdue).to.equal(false);
      expect(sent.body.steps.map((s: { step: string; to: string; automatic: boolean }) => `${s.step}:${s.to}:${s.automatic}`)).to.deep.equal([
        'submit:submitted:false',
        'check:granted:true',
      ]);
      expect(everyOf(sent.body.steps, (s: { at: string }) => !Number.isNaN(Date.parse(s.at)))).to.equal(true);
      const g = sent.body.grant;
      expect(g).to.include({
        status: 'active',
        live: true,
        mode: 'query',
        rateLimit: 60,
        decidedBy: 'unconditional',
        consumerDepartmentId: t.deptA.id,
      });
      expect(g.items).to.deep.equal(['credit_code', 'company_name', 'legal_person']);
      expect(g.raw, 'masked items stay masked without a provider’s approval').to.deep.equal([]);
      expect(g.rowFilter).to.deep.equal([]);
      expect(Date.parse(g.endsAt) - Date.parse(g.startsAt)).to.equal(90 * 86_400_000);
      expect(await auditOf('share_request', sent.body.id)).to.deep.equal(['share_request.submit', 'share_request.check']);
      expect(await auditOf('grant', g.id)).to.deep.equal(['grant.create']);
    });

    it('validates the document against the share-request schema and the resource, naming each problem', async () => {
      const res = await ofB();
      const { purpose: _p, ...noPurpose } = shareDoc(res.code);
      const bad = await submit({ ...noPurpose, period: { kind: '7d' } }).expect(400);
      expect(bad.body.error.code).to.equal('invalid_document');
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['/purpose', '/period/kind']);
      const unknown = await submit(shareDoc(res.code, { items: ['credit_code', 'salary', 'iq'] })).expect(400);
      expect(unknown.body.error.details[0]).to.include({ path: '/items' });
      expect(unknown.body.error.details[0].message).to.contain('salary, iq');
      const noCode = await submit(shareDoc('102/999999')).expect(400);
      expect(noCode.body.error.details[0].message).to.contain('no published resource has the code 102/999999');
      const own = await publishedResource(t.knex, t.deptA.uscc);
      expect((await submit(shareDoc(own.code)).expect(400)).body.error.details[0].message).to.contain('your department provides');
      const past = await submit(shareDoc(res.code, { period: { kind: 'until', until: '2020-01-01' } })).expect(400);
      expect(past.body.error.details[0].path).to.equal('/period/until');
    });

    it('lets only the consumer department’s registrar or officer request, for its own demands and systems', async () => {
      const res = await ofB();
      for (const role of ['consumer', 'authority', 'admin', 'developer'] as const) await submit(shareDoc(res.code), t.auth(role)).expect(403);
      const sysA = await systemOf(t.knex, t.deptA);
      const other = await submit(shareDoc(res.code, { consumerSystem: sysA }), authC.registrar).expect(403);
      expect(other.body.error.message).to.equal('this belongs to another department');
      await submit(shareDoc(res.code, { consumerSystem: sysA }), t.auth('officer')).expect(201);
    });

    it('refuses a second request while one for the same resource and mode waits', async () => {
      const res = await ofB(CONDITIONAL);
      const first = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201);
      const again = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(409);
      expect(again.body.error.message).to.contain(`share request ${first.body.id}`);
      await submit(shareDoc(res.code, { legalBasis: LEGAL, accessMode: 'verify' })).expect(201);
    });
  });

  describe('有条件共享: the provider’s officer answers', () => {
    it('requires a legal basis, then waits in provider_review for the provider', async () => {
      const res = await ofB(CONDITIONAL);
      const noBasis = await submit(shareDoc(res.code)).expect(400);
      expect(noBasis.body.error.details[0].path).to.equal('/legalBasis');
      expect(noBasis.body.error.message).to.contain('problem');
      const sent = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201);
      expect(sent.body).to.include({
        state: 'provider_review',
        waitingFor: 'provider',
        shareType: 'conditional',
        limitDays: 10,
        dataOnPlatform: false,
        grant: null,
      });
      expect(sent.body.steps.map((s: { step: string }) => s.step)).to.deep.equal(['submit', 'check']);
    });

    it('treats a request for a conditional item of an unconditional resource as conditional', async () => {
      const res = await ofB({
        items: [
          {
            name: 'credit_code',
            label: '统一社会信用代码',
            type: 'C',
            length: 18,
            required: true,
            key: true,
            check: 'uscc',
          },
          { name: 'company_name', label: '企业名称', type: 'C', length: 200 },
          {
            name: 'legal_person',
            label: '法定代表人',
            type: 'C',
            length: 50,
            sensitivity: 'personal',
            mask: 'name',
            shareType: 'conditional',
          },
        ],
      });
      const plain = await submit(shareDoc(res.code, { items: ['credit_code', 'company_name'] })).expect(201);
      expect(plain.body.state).to.equal('granted');
      const cond = await submit(shareDoc(res.code, { legalBasis: LEGAL, accessMode: 'download' })).expect(201);
      expect(cond.body).to.include({
        state: 'provider_review',
        shareType: 'conditional',
      });
    });

    it('gives the provider 5 working days when the data is loaded here, 10 when it is not', async () => {
      const res = await ofB(CONDITIONAL);
      await loadCsv(t.knex, res.id, licenceCsv(1, 3));
      const sent = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201);
      expect(sent.body).to.include({ limitDays: 5, dataOnPlatform: true });
    });

    it('lets only the provider’s officer approve, for fewer items, a shorter period, a lower rate, a row filter and named masked items raw', async () => {
      const res = await ofB(CONDITIONAL);
      const id = (
        await submit(
          shareDoc(res.code, {
            legalBasis: LEGAL,
            expectedCallRate: 120,
            period: { kind: '180d' },
          }),
        ).expect(201)
      ).body.id;
      const terms = {
        items: ['credit_code', 'legal_person'],
        period: { kind: '30d' },
        rateLimit: 30,
        rowFilter: [
          {
            column: 'founded_on',
            op: 'in',
            value: ['2021-03-02', '2021-03-03'],
          },
        ],
        raw: ['legal_person'],
      };
      expect((await step(id, 'approve', t.auth('officer')).expect(403)).body.error.message).to.equal(
        `only the provider department may approve share request ${id}; your department is its consumer`,
      );
      await step(id, 'approve', t.auth('registrar', 'B'), terms).expect(403);
      await step(id, 'approve', t.auth('authority'), terms).expect(403);
      await step(id, 'approve', authC.officer, terms).expect(403);

      const more = await step(id, 'approve', t.auth('officer', 'B'), {
        ...terms,
        items: ['credit_code', 'capital'],
        period: { kind: 'long_term' },
        rateLimit: 500,
      }).expect(422);
      expect(more.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['/items', '/period', '/rateLimit', '/raw']);
      expect(more.body.error.details[0].message).to.contain('not requested: capital');
      const rawPlain = await step(id, 'approve', t.auth('officer', 'B'), {
        ...terms,
        raw: ['credit_code'],
      }).expect(422);
      expect(rawPlain.body.error.message).to.contain('not masked, so served as they are: credit_code');
      const badFilter = await step(id, 'approve', t.auth('officer', 'B'), {
        ...terms,
        rowFilter: [
          { column: 'district', op: 'eq', value: '350203' },
          { column: 'founded_on', op: 'eq', value: 'soon' },
        ],
      }).expect(422);
      expect(badFilter.body.error.message).to.contain('district is not an item').and.contain('founded_on holds dates');

      const ok = await step(id, 'approve', t.auth('officer', 'B'), {
        ...terms,
        note: '仅提供核验所需信息项',
      }).expect(200);
      expect(ok.body).to.include({
        state: 'granted',
        grantId: ok.body.grant.id,
      });
      expect(ok.body.grant).to.include({
        mode: 'query',
        rateLimit: 30,
        decidedBy: 'provider',
        status: 'active',
      });
      expect(ok.body.grant.items).to.deep.equal(['credit_code', 'legal_person']);
      expect(ok.body.grant.raw).to.deep.equal(['legal_person']);
      expect(ok.body.grant.rowFilter).to.deep.equal(terms.rowFilter);
      expect(Date.parse(ok.body.grant.endsAt) - Date.parse(ok.body.grant.startsAt)).to.equal(30 * 86_400_000);
      const last = ok.body.steps[ok.body.steps.length - 1];
      expect(last).to.include({
        step: 'approve',
        from: 'provider_review',
        to: 'granted',
        by: 'principal:b.officer',
        note: '仅提供核验所需信息项',
        late: false,
      });
      expect(last.detail.itemsNotGranted).to.deep.equal(['company_name']);
      await step(id, 'approve', t.auth('officer', 'B'), {}).expect(409);
      await step(id, 'withdraw', t.auth('registrar'), {}).expect(409);
    });

    it('refuse -> dispute -> the authority grants, with who may take each step', async () => {
      const res = await ofB(CONDITIONAL);
      const id = (await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201)).body.id;
      await step(id, 'refuse', t.auth('officer', 'B'), {}).expect(400);
      await step(id, 'refuse', t.auth('officer'), {
        reason: '不符合共享条件',
      }).expect(403);
      await step(id, 'dispute', t.auth('registrar'), {
        reason: '依法履职需要',
      }).expect(409);
      const refused = await step(id, 'refuse', t.auth('officer', 'B'), {
        reason: '申请用途与共享条件不符',
      }).expect(200);
      expect(refused.body).to.include({
        state: 'refused',
        reason: '申请用途与共享条件不符',
        waitingFor: 'consumer',
        dueAt: null,
      });

      await step(id, 'dispute', t.auth('officer', 'B'), {
        reason: '复核',
      }).expect(403);
      await step(id, 'dispute', authC.registrar, { reason: '复核' }).expect(403);
      await step(id, 'withdraw', t.auth('registrar'), {}).expect(409);
      const disputed = await step(id, 'dispute', t.auth('registrar'), {
        reason: '企业开办须核验法定代表人身份，属法定职责',
        legalBasis: '《市场主体登记管理条例》第十五条',
      }).expect(200);
      expect(disputed.body).to.include({
        state: 'disputed',
        waitingFor: 'authority',
        limitDays: 5,
      });
      expect(disputed.body.dispute).to.include({
        reason: '企业开办须核验法定代表人身份，属法定职责',
        legalBasis: '《市场主体登记管理条例》第十五条',
      });

      const inbox = await api().get('/api/v1/share-requests').query({ role: 'authority' }).set(t.auth('authority')).expect(200);
      expect(inbox.body.items.map((r: { id: number }) => r.id)).to.include(id);
      await api().get('/api/v1/share-requests').query({ role: 'authority' }).set(t.auth('officer')).expect(403);

      for (const who of [t.auth('officer'), t.auth('officer', 'B'), t.auth('admin')])
        await step(id, 'decide', who, {
          decision: 'grant',
          reason: '属法定职责',
        }).expect(403);
      const raw = await step(id, 'decide', t.auth('authority'), {
        decision: 'grant',
        reason: '属法定职责',
        raw: ['legal_person'],
      }).expect(400);
      expect(raw.body.error.code).to.equal('bad_request');
      const granted = await step(id, 'decide', t.auth('authority'), {
        decision: 'grant',
        reason: '属法定职责，准予共享',
        items: ['credit_code', 'company_name'],
      }).expect(200);
      expect(granted.body).to.include({ state: 'granted' });
      expect(granted.body.grant).to.include({ decidedBy: 'authority' });
      expect(granted.body.grant.raw).to.deep.equal([]);
      expect(granted.body.steps.map((s: { step: string }) => s.step)).to.deep.equal(['submit', 'check', 'refuse', 'dispute', 'grant']);
      expect(await auditOf('share_request', id)).to.deep.equal([
        'share_request.submit',
        'share_request.check',
        'share_request.refuse',
        'share_request.dispute',
        'share_request.grant',
      ]);
    });

    it('refuse -> dispute -> the authority denies: final', async () => {
      const res = await ofB(CONDITIONAL);
      const id = (await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201)).body.id;
      await step(id, 'refuse', t.auth('officer', 'B'), {
        reason: '涉及商业秘密',
      }).expect(200);
      await step(id, 'dispute', t.auth('officer'), {
        reason: '依法履职需要',
      }).expect(200);
      await step(id, 'decide', t.auth('authority'), {
        decision: 'deny',
      }).expect(400);
      const denied = await step(id, 'decide', t.auth('authority'), {
        decision: 'deny',
        reason: '申请用途超出法定职责范围',
      }).expect(200);
      expect(denied.body).to.include({
        state: 'denied',
        reason: '申请用途超出法定职责范围',
        grant: null,
      });
      await step(id, 'dispute', t.auth('officer'), { reason: '再议' }).expect(409);
      await step(id, 'decide', t.auth('authority'), {
        decision: 'grant',
        reason: '改判',
      }).expect(409);
    });

    it('withdraws while undecided (submitted, provider_review, disputed), by the consumer only', async () => {
      const res = await ofB(CONDITIONAL);
      const id = (await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201)).body.id;
      await step(id, 'withdraw', t.auth('officer', 'B'), {}).expect(403);
      await step(id, 'withdraw', t.auth('authority'), {}).expect(403);
      const w = await step(id, 'withdraw', t.auth('registrar'), {
        note: '业务调整',
      }).expect(200);
      expect(w.body).to.include({ state: 'withdrawn', dueAt: null });
      await step(id, 'approve', t.auth('officer', 'B'), {}).expect(409);

      const res2 = await ofB(CONDITIONAL);
      const id2 = (await submit(shareDoc(res2.code, { legalBasis: LEGAL })).expect(201)).body.id;
      await step(id2, 'refuse', t.auth('officer', 'B'), {
        reason: '不符合条件',
      }).expect(200);
      await step(id2, 'dispute', t.auth('registrar'), {
        reason: '复核',
      }).expect(200);
      expect((await step(id2, 'withdraw', t.auth('officer'), {}).expect(200)).body.state).to.equal('withdrawn');
    });
  });

  describe('不予共享: only as a dispute citing a legal basis', () => {
    it('refuses an ordinary request naming the basis, takes it as a dispute to the authority', async () => {
      const res = await ofB(NOT_SHARED);
      const plain = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(422);
      expect(plain.body.error.message).to.contain('is 不予共享').and.contain('保守国家秘密法').and.contain('dispute=true');
      const noBasis = await submit(shareDoc(res.code), t.auth('registrar'), '?dispute=true').expect(400);
      expect(noBasis.body.error.details[0].path).to.equal('/legalBasis');
      const cond = await ofB(CONDITIONAL);
      expect((await submit(shareDoc(cond.code, { legalBasis: LEGAL }), t.auth('registrar'), '?dispute=true').expect(422)).body.error.message).to.contain(
        'only 不予共享 data',
      );

      const sent = await submit(shareDoc(res.code, { legalBasis: '《国家安全法》第七十七条' }), t.auth('registrar'), '?dispute=true').expect(201);
      expect(sent.body).to.include({
        state: 'disputed',
        shareType: 'none',
        waitingFor: 'authority',
      });
      expect(sent.body.dispute.legalBasis).to.equal('《国家安全法》第七十七条');
      await step(sent.body.id, 'approve', t.auth('officer', 'B'), {}).expect(409);
      const granted = await step(sent.body.id, 'decide', t.auth('authority'), {
        decision: 'grant',
        reason: '依据充分',
        period: { kind: '30d' },
      }).expect(200);
      expect(granted.body.grant).to.include({ decidedBy: 'authority' });
    });
  });

  describe('the compliance check by the authority (automatic check off)', () => {
    it('waits in submitted for the authority, who passes or rejects with a reason', async () => {
      t.services.config.shareAutoCompliance = false;
      const res = await ofB();
      const id = (await submit(shareDoc(res.code)).expect(201)).body.id;
      const shown = await api().get(`/api/v1/share-requests/${id}`).set(t.auth('officer', 'B')).expect(200);
      expect(shown.body).to.include({
        state: 'submitted',
        waitingFor: 'authority',
        limitDays: 2,
      });
      await step(id, 'check', t.auth('officer', 'B'), {
        decision: 'pass',
      }).expect(403);
      await step(id, 'check', t.auth('registrar'), { decision: 'pass' }).expect(403);
      await step(id, 'check', t.auth('authority'), {
        decision: 'reject',
      }).expect(400);
      const passed = await step(id, 'check', t.auth('authority'), {
        decision: 'pass',
      }).expect(200);
      expect(passed.body).to.include({ state: 'granted' });
      expect(passed.body.steps[1]).to.include({
        step: 'check',
        by: 'principal:a.authority',
        automatic: false,
      });
      await step(id, 'check', t.auth('authority'), { decision: 'pass' }).expect(409);

      const res2 = await ofB(CONDITIONAL);
      const id2 = (await submit(shareDoc(res2.code, { legalBasis: LEGAL })).expect(201)).body.id;
      const rejected = await step(id2, 'check', t.auth('authority'), {
        decision: 'reject',
        reason: '用途描述不具体，未说明具体事项',
      }).expect(200);
      expect(rejected.body).to.include({
        state: 'rejected',
        reason: '用途描述不具体，未说明具体事项',
      });
      await step(id2, 'dispute', t.auth('registrar'), {
        reason: '补充',
      }).expect(409);

      const res3 = await ofB(CONDITIONAL);
      const id3 = (await submit(shareDoc(res3.code, { legalBasis: LEGAL })).expect(201)).body.id;
      expect(
        (
          await step(id3, 'check', t.auth('authority'), {
            decision: 'pass',
          }).expect(200)
        ).body.state,
      ).to.equal('provider_review');
    });
  });

  describe('time limits in working days and the overdue flag', () => {
    // 2026's Spring Festival: Sat 14 Feb is worked (调休), 15–23 Feb are off
    const calendar = new WorkCalendar([
      {
        year: 2026,
        holidays: ['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => ({ date: `2026-02-${d}`, name: '春节' })),
        workdays: [{ date: '2026-02-14', name: '春节调休上班' }],
      },
    ]);
    const at = (iso: string) => setClock(() => new Date(iso));
    before(() => useCalendar(calendar));
    after(() => useCalendar(null));

    it('counts the provider’s 5 working days over the 调休 Saturday and the holiday, and flags the request overdue after them', async () => {
      const res = await ofB(CONDITIONAL);
      await loadCsv(t.knex, res.id, licenceCsv(1, 2));
      at('2026-02-13T10:00:00+08:00'); // Friday
      const sent = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201);
      // Sat 14 (调休), Tue 24, Wed 25, Thu 26, Fri 27 — weekday arithmetic would say Fri 20
      expect(sent.body.dueAt).to.equal('2026-02-27T16:00:00.000Z');
      expect(sent.body.daysLeft, 'the whole limit on the day it arrives').to.equal(5);
      const inbox = (q: Record<string, string>, who = t.auth('officer', 'B')) => api().get('/api/v1/share-requests').query(q).set(who).expect(200);

      at('2026-02-21T12:00:00+08:00');
      const inHoliday = await inbox({ role: 'provider', overdue: 'false' });
      expect(inHoliday.body.items.find((r: { id: number }) => r.id === sent.body.id).daysLeft, 'Tue 24 to Fri 27 left; the 调休 Saturday spent').to.equal(4);
      expect((await inbox({ role: 'provider', overdue: 'true' })).body.items.map((r: { id: number }) => r.id)).not.to.include(sent.body.id);
      at('2026-02-27T23:59:59+08:00');
      const notYet = (await inbox({ role: 'provider', state: 'provider_review' })).body.items.find((r: { id: number }) => r.id === sent.body.id);
      expect(notYet).to.include({ overdue: false, daysLeft: 0 });

      at('2026-02-28T00:00:00+08:00');
      const overdue = (await inbox({ role: 'provider', overdue: 'true' })).body.items;
      expect(overdue.map((r: { id: number }) => r.id)).to.include(sent.body.id);
      expect(everyOf(overdue, (r: { overdue: boolean }) => r.overdue)).to.equal(true);
      const consumerView = (await inbox({ role: 'consumer' }, t.auth('registrar'))).body.items.find((r: { id: number }) => r.id === sent.body.id);
      expect(consumerView.overdue).to.equal(true);
      // the authority's overdue list is every department's, whoever the request waits for
      const authorityOverdue = (await inbox({ role: 'authority', overdue: 'true' }, t.auth('authority'))).body.items;
      expect(authorityOverdue.map((r: { id: number }) => r.id)).to.include(sent.body.id);
      expect(everyOf(authorityOverdue, (r: { overdue: boolean }) => r.overdue)).to.equal(true);
      expect((await inbox({ role: 'provider', overdue: 'false' })).body.items.map((r: { id: number }) => r.id)).not.to.include(sent.body.id);

      at('2026-03-02T09:00:00+08:00');
      expect((await api().get(`/api/v1/share-requests/${sent.body.id}`).set(t.auth('registrar')).expect(200)).body.daysLeft, 'one working day (Mon 2 Mar) past').to.equal(-1);
      const late = await step(sent.body.id, 'approve', t.auth('officer', 'B'), {}).expect(200);
      expect(late.body.steps.at(-1)).to.include({
        step: 'approve',
        late: true,
        dueAt: '2026-02-27T16:00:00.000Z',
      });
      expect(late.body.overdue, 'a decided request waits for nobody').to.equal(false);
    });

    it('counts the authority’s 2 working days for the compliance check: Sat 14 (调休) and Tue 24', async () => {
      t.services.config.shareAutoCompliance = false;
      const res = await ofB();
      at('2026-02-13T18:30:00+08:00');
      const sent = await submit(shareDoc(res.code)).expect(201);
      expect(sent.body.dueAt).to.equal('2026-02-24T16:00:00.000Z');
      at('2026-02-24T12:00:00+08:00');
      expect((await api().get(`/api/v1/share-requests/${sent.body.id}`).set(t.auth('authority')).expect(200)).body.overdue).to.equal(false);
      at('2026-02-25T08:00:00+08:00');
      const inbox = await api().get('/api/v1/share-requests').query({ role: 'authority', overdue: 'true' }).set(t.auth('authority')).expect(200);
      expect(inbox.body.items.map((r: { id: number }) => r.id)).to.include(sent.body.id);
    });

    it('reads the limits and the automatic check from the environment', () => {
      const c = loadConfig({ ODX_SHARE_PROVIDER_DAYS: '7', ODX_SHARE_AUTO_COMPLIANCE: 'false', ODX_SHARE_DEFAULT_RATE: '30' } as NodeJS.ProcessEnv);
      expect(c).to.include({ shareComplianceDays: 2, shareProviderDays: 7, shareProviderDaysNoData: 10, shareDisputeDays: 5, shareAutoCompliance: false, shareDefaultRate: 30 });
      expect(loadConfig({} as NodeJS.ProcessEnv).shareAutoCompliance).to.equal(true);
      expect(() => loadConfig({ ODX_SHARE_AUTO_COMPLIANCE: 'maybe' } as NodeJS.ProcessEnv)).to.throw('shareAutoCompliance');
    });

    it('takes the configured limits', async () => {
      t.services.config.shareProviderDaysNoData = 3;
      try {
        const res = await ofB(CONDITIONAL);
        at('2026-02-12T10:00:00+08:00'); // Thursday: Fri 13, Sat 14 (调休), Tue 24
        const sent = await submit(shareDoc(res.code, { legalBasis: LEGAL })).expect(201);
        expect(sent.body).to.include({
          limitDays: 3,
          dueAt: '2026-02-24T16:00:00.000Z',
        });
      } finally {
        t.services.config.shareProviderDaysNoData = 10;
      }
    });
  });

  describe('inboxes', () => {
    it('shows each department the requests it consumes or provides, filtered by role and state', async () => {
      const res = await ofB(CONDITIONAL);
      const id = (await submit(shareDoc(res.code, { legalBasis: LEGAL }), authC.registrar).expect(201)).body.id;
      const ids = async (who: { Authorization: string }, q: Record<string, string> = {}) =>
        (await api().get('/api/v1/share-requests').query(q).set(who).expect(200)).body.items.map((r: { id: number }) => r.id);
      expect(await ids(authC.officer, { role: 'consumer' })).to.include(id);
      expect(await ids(authC.officer, { role: 'provider' })).not.to.include(id);
      expect(
        await ids(t.auth('registrar', 'B'), {
          role: 'provider',
          state: 'provider_review',
        }),
      ).to.include(id);
      expect(
        await ids(t.auth('registrar', 'B'), {
          role: 'provider',
          state: 'granted,refused',
        }),
      ).not.to.include(id);
      expect(await ids(t.auth('officer'))).not.to.include(id);
      expect(await ids(t.auth('authority'))).to.include(id);
      await api().get(`/api/v1/share-requests/${id}`).set(t.auth('officer')).expect(403);
      await api().get(`/api/v1/share-requests/${id}`).set(t.auth('registrar', 'B')).expect(200);
      await api().get(`/api/v1/share-requests/${id}`).set(authC.registrar).expect(200);
      await api().get('/api/v1/share-requests/999999').set(t.auth('authority')).expect(404);
      await api().get('/api/v1/share-requests').query({ state: 'sleeping' }).set(t.auth('authority')).expect(400);
    });

    it('pages with a cursor', async () => {
      const first = await api().get('/api/v1/share-requests').query({ limit: 2 }).set(t.auth('authority')).expect(200);
      expect(first.body.items).to.have.length(2);
      const second = await api().get('/api/v1/share-requests').query({ limit: 2, cursor: first.body.next }).set(t.auth('authority')).expect(200);
      expect(second.body.items[0].id).to.be.lessThan(first.body.items[1].id);
    });
  });

  describe('demands close the loop', () => {
    const demand = async () => (await api().post('/api/v1/demands').set(t.auth('registrar')).send(demandDoc(t.deptA.uscc)).expect(201)).body.id as number;
    const demandOf = async (id: number) => (await t.knex('odx.demands').where({ id }).first()) as Record<string, any>;
    const historyOf = async (id: number) =>
      (await api().get(`/api/v1/demands/${id}/history`).set(t.auth('officer')).expect(200)).body.items.map(
        (h: { action: string; status: string }) => `${h.action}:${h.status}`,
      );

    it('moves a demand to requested on the request and to fulfilled on the grant', async () => {
      const d = await demand();
      const res = await ofB(CONDITIONAL);
      const sent = await submit(shareDoc(res.code, { legalBasis: LEGAL, demandId: d })).expect(201);
      expect(sent.body.demandId).to.equal(d);
      const requested = await demandOf(d);
      expect(requested.status).to.equal('requested');
      expect(requested.requested_at).to.be.instanceOf(Date);
      expect(await t.knex('odx.demand_links').where({ demand_id: d, resource_id: res.id }).first()).to.not.equal(undefined);
      await step(sent.body.id, 'approve', t.auth('officer', 'B'), {}).expect(200);
      const fulfilled = await demandOf(d);
      expect(fulfilled.status).to.equal('fulfilled');
      expect(fulfilled.fulfilled_at).to.be.instanceOf(Date);
      expect(await historyOf(d)).to.deep.equal(['create:open', 'share_request:requested', 'share_grant:fulfilled']);
      const listed = await api()
        .get('/api/v1/share-requests')
        .query({ demand: String(d) })
        .set(t.auth('registrar'))
        .expect(200);
      expect(listed.body.items.map((r: { id: number }) => r.id)).to.deep.equal([sent.body.id]);
      const again = await submit(shareDoc((await ofB()).code, { demandId: d })).expect(409);
      expect(again.body.error.message).to.contain(`demand ${d} is fulfilled`);
    });

    it('shows refusals and disputes on the demand, and reopens it when the request ends without a grant', async () => {
      const d = await demand();
      const res = await ofB(CONDITIONAL);
      const id = (await submit(shareDoc(res.code, { legalBasis: LEGAL, demandId: d })).expect(201)).body.id;
      await step(id, 'refuse', t.auth('officer', 'B'), {
        reason: '涉及商业秘密',
      }).expect(200);
      await step(id, 'dispute', t.auth('registrar'), {
        reason: '依法履职需要',
      }).expect(200);
      await step(id, 'decide', t.auth('authority'), {
        decision: 'deny',
        reason: '超出职责范围',
      }).expect(200);
      expect((await demandOf(d)).status).to.equal('matched');
      const history = await api().get(`/api/v1/demands/${d}/history`).set(t.auth('officer')).expect(200);
      const notes = history.body.items.map((h: { action: string; note: string }) => `${h.action} ${h.note}`);
      expect(notes.slice(1)).to.deep.equal([
        `share_request share request ${id}: submitted for ${res.code}`,
        `share_refuse share request ${id}: refused by the provider: 涉及商业秘密`,
        `share_dispute share request ${id}: disputed: 依法履职需要`,
        `share_deny share request ${id}: dispute decided against: 超出职责范围`,
      ]);
    });

    it('refuses a request citing another department’s demand', async () => {
      const d = await demand();
      const res = await ofB();
      await submit(shareDoc(res.code, { demandId: d }), authC.registrar).expect(403);
      await submit(shareDoc(res.code, { demandId: 999999 })).expect(400);
    });
  });

  describe('the audit trail', () => {
    it('records every decision in an audit chain that verifies', async () => {
      await chainPending(t.knex);
      const result = await verifyChain(t.knex);
      expect(result.ok, result.problem).to.equal(true);
      const actions = await t.knex('odx.audit_events').distinct('action').pluck('action');
      expect(actions).to.include.members([
        'share_request.submit',
        'share_request.check',
        'share_request.reject',
        'share_request.approve',
        'share_request.refuse',
        'share_request.dispute',
        'share_request.grant',
        'share_request.deny',
        'share_request.withdraw',
        'grant.create',
        'demand.share_request',
        'demand.share_grant',
      ]);
    });
  });
});
