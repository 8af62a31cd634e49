import { generate } from 'otplib';
import { startWebHub, WebHub } from '@hub/testing';

/** The web app in Debian's Chromium: sign-in per role, wrong password, administrator MFA enrolment and screens. */
describe('web app sign-in (Chromium)', () => {
  let web: WebHub;
  beforeAll(async () => (web = await startWebHub()));
  afterAll(() => web?.close());
  const signIn = (email: string, password?: string) => web.signIn(email, password);

  it('sends a signed-out visitor to the login page', async () => {
    const page = await (await web.browser.newContext()).newPage();
    await page.goto(`${web.base}/admin/users`);
    await page.waitForURL('**/login');
    await page.context().close();
  });

  it('signs in with the plain form of index.html before the app has arrived, and the app takes the answer over', async () => {
    const page = await (await web.browser.newContext()).newPage();
    // Hold every script of the app (a slow link): only index.html and its inline script are there.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await page.route('**/assets/*.js', async (route) => {
      await released;
      await route.continue();
    });
    const logins: string[] = [];
    page.on('request', (r) => r.url().endsWith('/api/auth/login') && logins.push(r.method()));
    await page.goto(`${web.base}/login`, { waitUntil: 'commit' });
    await page.getByLabel('Email').fill('officer@minusca.demo');
    await page.getByLabel('Password').fill('FieldHub!2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // sent at once, with the wait said in words; the button cannot send it twice
    await page.getByRole('button', { name: 'Signing in…' }).waitFor();
    expect(await page.getByRole('button', { name: 'Signing in…' }).isDisabled()).toBe(true);
    await page.getByText('Opening the hub… On a satellite link the first visit takes a few seconds.').waitFor();
    expect(await page.locator('#boot-login').isVisible()).toBe(true);
    for (let i = 0; i < 50 && !logins.length; i++) await page.waitForTimeout(100);
    expect(logins).toEqual(['POST']);
    // the app arrives, takes the answer as its own and opens the home: one sign-in request in all
    release();
    await page.getByTestId('home-field_medical_officer').waitFor();
    expect(await page.locator('#boot-login').count()).toBe(0);
    expect(logins).toEqual(['POST']);
    await page.context().close();
  });

  it('shows the field medical officer their home page', async () => {
    const page = await signIn('officer@minusca.demo');
    await page.getByTestId('home-field_medical_officer').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Field medical officer');
    expect(await page.getByTestId('user-name').textContent()).toContain('Field Officer');
    expect(await page.textContent('body')).toContain('Bangui Level 1 Clinic (BANBAT)');
    // a reload keeps the session (refresh token in session storage)
    await page.reload();
    await page.getByTestId('home-field_medical_officer').waitFor();
    await page.context().close();
  });

  it('shows the reference doctor theirs', async () => {
    const page = await signIn('doctor@unmiss.demo');
    await page.getByTestId('home-reference_doctor').waitFor();
    expect(await page.textContent('body')).toContain('My queue');
    expect(await page.textContent('body')).toContain('UNMISS');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.context().close();
  });

  it('says clearly when the password is wrong', async () => {
    const page = await signIn('officer@minusca.demo', 'not-the-password');
    const alert = page.getByTestId('login-error');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Wrong email or password.');
    expect(page.url()).toContain('/login');
    await page.context().close();
  });

  it('walks an administrator through MFA enrolment to the user screens', async () => {
    const page = await signIn('admin@unmiss.demo');
    await page.waitForURL('**/mfa-setup');
    await page.getByAltText('QR code for your authenticator app').waitFor();
    const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
    await page.getByLabel('Authentication code').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('home-mission_admin').waitFor();
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('cell', { name: 'officer@unmiss.demo', exact: true }).waitFor();
    const body = await page.textContent('body');
    expect(body).not.toContain('@minusca.demo');
    // creating a user with a short password shows the server's message beside the field
    await page.getByLabel('Email', { exact: true }).fill('new.officer@unmiss.demo');
    await page.getByLabel('Full name').fill('New Officer');
    await page.getByLabel('Initial password').fill('short');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('password must be at least 12 characters').first().waitFor();
    await page.context().close();
  });
});
