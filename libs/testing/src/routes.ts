import { INestApplication, RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { POLICY_KEY, PolicyDeclaration } from '@hub/access';

export interface DiscoveredRoute {
  /** e.g. "GET /api/missions/:id" */
  key: string;
  controller: string;
  handler: string;
  policy: PolicyDeclaration | undefined;
}

// Nest's own metadata keys (PATH_METADATA, METHOD_METADATA), not exported from @nestjs/common's entry point.
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';

const join = (...parts: (string | undefined)[]) =>
  '/' + parts.flatMap((p) => (p ?? '').split('/')).filter(Boolean).join('/');

/** Every HTTP route the running application serves, found from its controllers (nothing hard-coded). */
export function discoverRoutes(app: INestApplication, globalPrefix = 'api'): DiscoveredRoute[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: DiscoveredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const controllerPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '');
    const proto = Object.getPrototypeOf(instance);
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler);
      if (methodPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const policy = reflector.getAllAndOverride<PolicyDeclaration>(POLICY_KEY, [handler, wrapper.metatype]);
      for (const cp of controllerPaths) {
        for (const mp of ([] as string[]).concat(methodPath)) {
          routes.push({
            key: `${method} ${join(globalPrefix, cp, mp)}`,
            controller: wrapper.metatype.name,
            handler: name,
            policy,
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}
