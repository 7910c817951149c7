import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { expect } from 'chai';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { freePort } from '../helpers/cluster.ts';

const PASSWORD = 'account-test-密码-2026';
const run = promisify(execFile);

/** Sign-in, the account page and the developer centre, as people use them in Chromium. */
describe('sign-in, the account page and the developer centre in Chromium', function () {
  this.timeout(240_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  let dataset: Record<string, any>;
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  async function freshPage(width = 1280): Promise<Page> {
    await page?.context().close();
    page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  async function signIn(p: Page, login: string, password: string) {
    await p.getByLabel('账号或邮箱').fill(login);
    await p.getByLabel('密码', { exact: true }).fill(password);
    await Promise.all([p.waitForResponse((r) => r.url().endsWith('/api/v1/auth/sign-in')), p.getByRole('button', { name: '登录', exact: true }).click()]);
  }

  /** The open confirmation's button (antd keeps closed ones in the page, hidden). */
  const confirm = (p: Page, name: string) => p.locator('.ant-popover:not(.ant-popover-hidden) .ant-popconfirm-buttons').getByRole('button', { name });

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await setPassword(t.knex, t.principals.officer.id, PASSWORD);
    await setPassword(t.knex, t.principals.registrar.id, PASSWORD);
    dataset = await publishedResource(t.knex, t.deptA.uscc, { name: '营业执照登记信息' });
    await loadCsv(t.knex, dataset.id, licenceCsv(1, 30));
    server = await listen(t);
    // the OIDC redirect and the Origin check name this server
    t.services.config.publicBaseUrl = server.base;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => expect(pageErrors.splice(0), 'errors in the page').to.deep.equal([]));

  it('signs a developer up, creates a key, and the dataset page’s curl snippet, run, returns rows with that key; the usage shows the call', async () => {
    await freshPage();
    await page.goto(url('/'));
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '开发者中心' }).click();
    await page.getByRole('heading', { name: '注册开发者账号' }).waitFor();
    expect(await seriousViolations(page), 'axe on the developer centre').to.deep.equal([]);
    await page.getByLabel('电子邮箱').fill('dev.browser@example.org');
    await page.getByLabel('显示名称（可选）').fill('浏览器开发者');
    // a password against the policy is told at its field
    await page.getByLabel('密码', { exact: true }).fill('short');
    await page.getByRole('button', { name: '注册' }).click();
    await page.getByText('密码至少需要 10 个字符').waitFor();
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '注册' }).click();
    await page.getByRole('heading', { name: '欢迎，浏览器开发者' }).waitFor();
    // signed in at once: the keys and the usage are on the page
    await page.getByRole('heading', { name: 'API 密钥' }).waitFor();
    await page.getByRole('heading', { name: '我的调用情况' }).waitFor();
    expect(await seriousViolations(page), 'axe on the developer centre, signed in').to.deep.equal([]);

    await page.getByLabel('密钥名称').fill('浏览器测试密钥');
    await page.getByRole('button', { name: '创建密钥' }).click();
    const secretBox = page.getByRole('textbox', { name: '密钥“浏览器测试密钥”' });
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret).to.match(/^odx_[0-9A-Za-z]{32}$/);
    await page.getByRole('cell', { name: '浏览器测试密钥', exact: true }).waitFor();

    // the dataset page's API tab: its snippets carry this key
    await page.goto(url(`/datasets/${encodeURIComponent(dataset.code)}?tab=api`));
    await page.getByLabel('示例中使用的密钥').waitFor();
    await page.getByRole('tab', { name: 'Python pyarrow' }).waitFor();
    expect(await seriousViolations(page), 'axe on the API tab').to.deep.equal([]);
    const curl = await page.locator('.snippet pre code').first().innerText();
    expect(curl).to.include(`Authorization: Bearer ${secret}`);
    // the snippet as a person pastes it into a shell
    const { stdout } = await run('sh', ['-c', curl]);
    const body = JSON.parse(stdout);
    expect(body.items).to.have.length(30);
    expect(body.items[0]).to.have.property('company_name');
    await page.getByRole('tab', { name: 'Python pyarrow' }).click();
    const arrowSnippet = await page.locator('.ant-tabs-tabpane-active .snippet pre code').last().innerText();
    expect(arrowSnippet).to.include('pa.ipc.open_stream').and.to.include('format=arrow').and.to.include(secret);

    // the call is the developer's, with this key
    await page.goto(url('/developers'));
    const byDataset = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: '数据集' }) });
    await byDataset.getByRole('row', { name: /营业执照登记信息\s*1\s*30/ }).waitFor();
    const byKey = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: '开头' }) }).last();
    await byKey.getByRole('row', { name: /浏览器测试密钥/ }).waitFor();

    // revoked, the key reads nothing more
    await page.getByRole('button', { name: '吊销令牌 浏览器测试密钥' }).click();
    await confirm(page, '吊销').click();
    await page.getByRole('row', { name: /浏览器测试密钥/ }).first().getByText('已吊销').waitFor();
    const after = await run('sh', ['-c', `${curl} -o /dev/null -w '%{http_code}'`]);
    expect(after.stdout).to.equal('401');
  });

  it('a phone-wide developer centre and sign-in page pass axe', async () => {
    await freshPage(360);
    for (const path of ['/developers', '/sign-in']) {
      await page.goto(url(path));
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await seriousViolations(page), `axe on ${path} at 360 px`).to.deep.equal([]);
    }
  });

  it('the account page: profile, a password against the policy told at its field, sessions ended one by one, a token shown once and revoked, sign-out everywhere', async () => {
    await freshPage();
    await page.goto(url('/console/account'));
    await page.waitForURL(/\/sign-in\?next=%2Fconsole%2Faccount$/);
    await signIn(page, 'a.officer', PASSWORD);
    await page.waitForURL(/\/console\/account$/);
    await page.getByRole('heading', { name: '我的账号', level: 1 }).waitFor();
    await page.getByText('当前会话').waitFor();
    expect(await seriousViolations(page), 'axe on the account page').to.deep.equal([]);

    // the policy's words at the new password's field; a wrong current password at its field
    await page.getByLabel('当前密码').fill(PASSWORD);
    await page.getByLabel('新密码', { exact: true }).fill('a.officer');
    await page.getByLabel('再次输入新密码').fill('a.officer');
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.locator('.ant-form-item-explain-error').getByText('密码不能与登录名或电子邮箱相同').waitFor();
    await page.getByLabel('当前密码').fill('not the password');
    await page.getByLabel('新密码', { exact: true }).fill('a much longer new passphrase 2026');
    await page.getByLabel('再次输入新密码').fill('a much longer new passphrase 2026');
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.locator('.ant-form-item-explain-error').getByText('当前密码错误').waitFor();

    // a second session elsewhere, ended from here
    await request(t.app).post('/api/v1/auth/sign-in').set('User-Agent', 'Mozilla/5.0 (Windows NT 10.0) Firefox/120.0').send({ login: 'a.officer', password: PASSWORD }).expect(200);
    await page.reload();
    const other = page.getByRole('button', { name: /^结束 .* 登录的会话$/ });
    await other.waitFor();
    await page.getByText('Firefox · Windows').waitFor();
    await other.click();
    await other.waitFor({ state: 'detached' });

    // a token: its secret once, with a copy button; then revoked
    await page.getByLabel('名称', { exact: true }).fill('报表脚本');
    await page.getByRole('button', { name: '创建令牌' }).click();
    const secret = await page.getByRole('textbox', { name: '令牌“报表脚本”' }).inputValue();
    expect(secret).to.match(/^odx_/);
    await page.getByRole('button', { name: '复制' }).waitFor();
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(200);
    await page.getByRole('button', { name: '吊销令牌 报表脚本' }).click();
    await confirm(page, '吊销').click();
    await page.getByRole('row', { name: /报表脚本/ }).getByText('已吊销').waitFor();
    await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(401);

    await page.getByRole('button', { name: '在所有设备上退出' }).click();
    await confirm(page, '在所有设备上退出').click();
    await page.waitForURL(/\/sign-in$/);
    const open = await t.knex('odx.sessions').where({ principal_id: t.principals.officer.id }).whereNull('ended_at').count<{ n: string }[]>('* as n');
    expect(Number(open[0].n)).to.equal(0);
  });

  it('signs in and out from the header', async () => {
    await freshPage();
    await page.goto(url('/sign-in?next=/console'));
    await signIn(page, 'a.officer', PASSWORD);
    await page.waitForURL(/\/console$/);
    // the header re-renders once /me is asked again after sign-in: open its menu after that
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: /的账号菜单/ }).click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL(url('/'));
    await page.goto(url('/console/account'));
    await page.waitForURL(/\/sign-in/);
  });

  it('locks a login after 5 failures and says how long to wait, in Chinese and in English', async () => {
    await freshPage();
    await page.goto(url('/sign-in'));
    for (let i = 1; i <= 5; i++) {
      await signIn(page, 'a.registrar', `wrong password ${i}`);
      await page.getByRole('alert').getByText('登录名或密码错误').waitFor();
    }
    // locked: even the right password is refused, with the wait
    await signIn(page, 'a.registrar', PASSWORD);
    await page.getByRole('alert').getByText('登录失败次数过多，该账号已被锁定，请 15 分钟后再试。').waitFor();
    expect(await seriousViolations(page), 'axe on the locked sign-in page').to.deep.equal([]);
    // the refusal is told again in the language the person switches to, without asking the server again
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('alert').getByText('Too many failed sign-ins: this account is locked. Try again in 15 min.').waitFor();
    await page.evaluate(() => localStorage.removeItem('odx.lang'));
  });

  it('signs in with the keyboard alone', async () => {
    await freshPage();
    await page.goto(url('/sign-in?next=/console/account'));
    // the login field has the focus when the page opens
    await page.keyboard.type('a.officer');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    let onSubmit = false;
    for (let i = 0; i < 4 && !onSubmit; i++) {
      await page.keyboard.press('Tab');
      onSubmit = await page.evaluate(() => document.activeElement?.textContent === '登录' && document.activeElement.tagName === 'BUTTON');
    }
    expect(onSubmit, 'the submit button is reached by Tab').to.equal(true);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline, 'the focus is visible').to.not.equal('none');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/account$/);
  });

  it('signs in through the unified identity platform (a real OpenID provider) in Chromium', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'odx', client_secret: 'odx-client-secret', redirect_uris: [`${server.base}/api/v1/auth/oidc/callback`], token_endpoint_auth_method: 'client_secret_post' }],
      findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, preferred_username: sub }) }),
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      cookies: { keys: ['oidc-browser-test-key'] },
    });
    const idp = http.createServer(provider.callback());
    await new Promise<void>((resolve) => idp.listen(port, '127.0.0.1', resolve));
    Object.assign(t.services.config, { oidcIssuer: issuer, oidcClientId: 'odx', oidcClientSecret: 'odx-client-secret' });
    try {
      await freshPage();
      await page.goto(url('/sign-in?next=/console/account'));
      await page.getByRole('link', { name: '统一身份认证登录' }).click();
      // the provider's own login and consent pages (oidc-provider's development pages)
      await page.waitForURL(new RegExp(`^${issuer}`));
      await page.locator('input[name="login"]').fill('a.officer');
      await page.locator('input[name="password"]').fill('anything');
      await page.locator('button[type="submit"]').click();
      await page.locator('input[name="login"]').waitFor({ state: 'detached' });
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(url('/console/account'));
      await page.getByRole('heading', { name: '我的账号', level: 1 }).waitFor();
      await page.getByRole('cell', { name: '统一身份认证' }).first().waitFor();
    } finally {
      Object.assign(t.services.config, { oidcIssuer: undefined, oidcClientId: undefined, oidcClientSecret: undefined });
      await new Promise((resolve) => idp.close(resolve));
    }
  });

  it('sends a person whose session went idle back to sign in, saying why', async () => {
    const idle = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild(), ODX_SESSION_IDLE_MINUTES: '0.05' } });
    const idleServer = await listen(idle);
    try {
      await setPassword(idle.knex, idle.principals.officer.id, PASSWORD);
      await freshPage();
      await page.goto(`${idleServer.base}/sign-in?next=/console`);
      await signIn(page, 'a.officer', PASSWORD);
      await page.waitForURL(/\/console$/);
      // three seconds of idle timeout; wait past it, then use the console
      await page.waitForTimeout(4_500);
      await page.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '账号与安全' }).click();
      await page.waitForURL(/\/sign-in\?next=%2Fconsole%2Faccount&expired=1$/);
      await page.getByText('您长时间没有操作，已自动退出登录，请重新登录。').waitFor();
      await signIn(page, 'a.officer', PASSWORD);
      await page.waitForURL(/\/console\/account$/);
    } finally {
      await idleServer.close();
      await idle.close();
    }
  });
});
