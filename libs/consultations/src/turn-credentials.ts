import { createHmac } from 'node:crypto';
import type { TurnConfig } from '@hub/config';
import type { TurnCredentialsView } from '@hub/contracts';

/**
 * Short-lived TURN credentials in the "TURN REST API" style coturn checks with `use-auth-secret`:
 * username `<unix expiry>:<userId>`, credential base64(HMAC-SHA1(static-auth-secret, username)). coturn refuses the
 * credential after the expiry, and nobody can mint one without the secret. Without TURN configured: no servers.
 */
export function turnCredentials(config: TurnConfig, userId: string, nowMs = Date.now()): TurnCredentialsView {
  if (!config.secret || !config.urls.length) return { iceServers: [], expiresAt: null };
  const expiresAt = Math.floor(nowMs / 1000) + config.ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', config.secret).update(username).digest('base64');
  return { iceServers: [{ urls: config.urls, username, credential }], expiresAt };
}
