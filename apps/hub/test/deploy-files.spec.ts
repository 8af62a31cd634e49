import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';

/**
 * The deployment files for several hosts (deploy/): parsed and cross-checked here, since no Docker engine or
 * Kubernetes cluster runs in this repository's CI. Syntax, and that they say what docs/deployment.md says.
 */
const deploy = join(__dirname, '../../../deploy');
const read = (p: string) => readFileSync(join(deploy, p), 'utf8');
type Obj = Record<string, any>;

describe('deployment files', () => {
  it('compose: two hub instances behind HAProxy, one PostgreSQL, coturn; hubs share the secrets, own their media ports', () => {
    const compose = load(read('docker-compose.scale.yml')) as Obj;
    expect(Object.keys(compose.services).sort()).toEqual(['coturn', 'hub-a', 'hub-b', 'postgres', 'proxy']);
    const [a, b] = [compose.services['hub-a'], compose.services['hub-b']];
    for (const hub of [a, b]) {
      expect(hub.env_file).toContain('hub.env');
      expect(hub.depends_on.postgres.condition).toBe('service_healthy');
      expect(hub.healthcheck.test.join(' ')).toMatch(/wait-ready/);
      expect(hub.environment.TRUST_PROXY).toBe('1');
      expect(hub.environment.HUB_SLA_SWEEP).toBeUndefined();
    }
    expect(a.environment.MEDIA_PORT_MIN).not.toBe(b.environment.MEDIA_PORT_MIN);
    expect(compose.services.proxy.volumes[0]).toMatch(/^\.\/haproxy\/haproxy\.cfg:/);
    expect(existsSync(join(deploy, 'haproxy/haproxy.cfg'))).toBe(true);
    expect(compose.services.coturn.volumes[0]).toMatch(/^\.\/coturn\/turnserver\.conf:/);
  });

  it('HAProxy: every hub of the compose file, health-checked on readiness, socket.io sticky with long WebSocket timeouts', () => {
    const cfg = read('haproxy/haproxy.cfg');
    const compose = load(read('docker-compose.scale.yml')) as Obj;
    const backends = Object.fromEntries(cfg.split(/\n(?=backend )/).filter((s) => s.startsWith('backend ')).map((s) => [s.split(/\s+/)[1], s]));
    expect(Object.keys(backends).sort()).toEqual(['hub_api', 'hub_sockets']);
    for (const body of Object.values(backends)) {
      expect(body).toMatch(/option httpchk GET \/api\/health\/ready/);
      for (const name of ['hub-a', 'hub-b']) expect(body).toMatch(new RegExp(`server ${name} ${name}:${compose.services[name].environment.PORT} check`));
    }
    expect(backends.hub_sockets).toMatch(/cookie HUBSRV insert/);
    expect(backends.hub_sockets).toMatch(/balance url_param consultation/);
    expect(cfg).toMatch(/use_backend hub_sockets if is_socketio/);
    expect(cfg).toMatch(/timeout tunnel\s+1h/);
  });

  it('Kubernetes: Deployment probes on the health endpoints, media ports in Service and pod alike, PDB, ConfigMap and Secret', () => {
    const docs = readdirSync(join(deploy, 'k8s'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => loadAll(read(`k8s/${f}`)) as Obj[]);
    const kinds = docs.map((d) => d.kind).sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'Ingress', 'PodDisruptionBudget', 'Secret', 'Service', 'Service']);
    for (const d of docs) {
      expect(d.apiVersion).toEqual(expect.any(String));
      expect(d.metadata.name).toMatch(/^field-telemed-hub/);
    }
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    const selector = deployment.spec.selector.matchLabels;
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.readinessProbe.httpGet).toEqual({ path: '/api/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/api/health', port: 'http' });
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'field-telemed-hub' } }, { secretRef: { name: 'field-telemed-hub' } }]);
    const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
    expect(configMap.data.PORT).toBe(String(container.ports.find((p: Obj) => p.name === 'http').containerPort));
    // one UDP and one TCP port per worker, from MEDIA_PORT_MIN, in the pod and in the media Service
    const workers = Number(configMap.data.MEDIA_WORKERS);
    const min = Number(configMap.data.MEDIA_PORT_MIN);
    const expected = ['UDP', 'TCP'].flatMap((protocol) => Array.from({ length: workers }, (_, i) => `${protocol}/${min + i}`)).sort();
    expect(container.ports.filter((p: Obj) => p.name.startsWith('rtc-')).map((p: Obj) => `${p.protocol}/${p.containerPort}`).sort()).toEqual(expected);
    const media = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'field-telemed-hub-media')!;
    expect(media.spec.ports.map((p: Obj) => `${p.protocol}/${p.targetPort}`).sort()).toEqual(expected);
    for (const service of docs.filter((d) => d.kind === 'Service')) expect(service.spec.selector).toEqual(selector);
    const pdb = docs.find((d) => d.kind === 'PodDisruptionBudget')!;
    expect(pdb.spec.selector.matchLabels).toEqual(selector);
    expect(pdb.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
    const secret = docs.find((d) => d.kind === 'Secret')!;
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET', 'AUDIT_KEY']));
  });
});
