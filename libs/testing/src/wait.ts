/**
 * Polls `check` until it holds, every `everyMs`; after `ms` fails naming `what` (a browser test's wait for a state
 * that no single event announces).
 */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 300): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
