import { Reflector } from '@nestjs/core';
import { AbilityFactory, AccessGuard, PRINCIPAL_RESOLVER } from '@hub/access';
import { createTestHub, discoverRoutes, TestHub } from '@hub/testing';

describe('every route declares its access policy', () => {
  let hub: TestHub;
  beforeAll(async () => (hub = await createTestHub()));
  afterAll(() => hub.close());

  it('finds the routes at run time', () => {
    const routes = discoverRoutes(hub.app);
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.map((r) => r.key)).toContain('POST /api/auth/login');
  });

  it('has no route without a Policy declaration', () => {
    const undeclared = discoverRoutes(hub.app)
      .filter((r) => !r.policy)
      .map((r) => `${r.key} (${r.controller}.${r.handler})`);
    expect(undeclared).toEqual([]);
  });

  it('keeps public routes to the reviewed few', () => {
    const open = discoverRoutes(hub.app)
      .filter((r) => r.policy?.kind === 'public')
      .map((r) => r.key);
    // A change here is a change to who can reach the hub without signing in: review it as such.
    // GET /api/metrics checks its own bearer token (METRICS_TOKEN; off without it): no user session is involved
    expect(open.sort()).toEqual(['GET /api/certificates/verify/:code', 'GET /api/health', 'GET /api/health/ready', 'GET /api/metrics', 'POST /api/auth/login', 'POST /api/auth/refresh', 'POST /api/sync/enrol']);
  });

  it('keeps field-node routes to the sync protocol', () => {
    const nodeOnly = discoverRoutes(hub.app)
      .filter((r) => r.policy?.kind === 'node')
      .map((r) => r.key);
    // Routes a field node's credential reaches (no user signed in): review a change here as a change of trust.
    expect(nodeOnly.sort()).toEqual([
      'GET /api/sync/attachments/:id',
      'GET /api/sync/attachments/:id/content',
      'GET /api/sync/pull',
      'GET /api/sync/wait',
      'PATCH /api/sync/attachments/:id',
      'POST /api/sync/attachments',
      'POST /api/sync/attachments/offers',
      'POST /api/sync/audit',
      'POST /api/sync/push',
      'PUT /api/sync/attachments/:id/thumbnail',
    ]);
  });

  it('closes a route that has no declaration (deny by default)', async () => {
    const guard = new AccessGuard(
      hub.app.get(Reflector),
      hub.app.get(PRINCIPAL_RESOLVER),
      hub.app.get(AbilityFactory),
    );
    const handler = () => undefined;
    class Undeclared {}
    const context = {
      getType: () => 'http',
      getHandler: () => handler,
      getClass: () => Undeclared,
      switchToHttp: () => ({ getRequest: () => ({ method: 'GET', headers: {}, route: { path: '/x' } }) }),
    };
    // The refusal carries its denial, which the exception filter has audited (DenialRecorder).
    await expect(guard.canActivate(context as never)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      denial: { subjectType: 'Route', details: { reason: 'no policy declared' } },
    });
  });
});
