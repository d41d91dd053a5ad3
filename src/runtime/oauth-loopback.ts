import { createServer } from 'node:http';

/** Thrown when the browser never came back, or came back with an error. */
export class OAuthCallbackError extends Error {
  override name = 'OAuthCallbackError';
}

/**
 * Waits for one OAuth redirect on a loopback address (the way command-line tools sign in): listens
 * on the redirect URI's host and port, answers the browser, and resolves with the query parameters.
 */
export async function waitForRedirect(
  redirectUri: string,
  expectedState: string,
  timeoutMs = 300_000,
): Promise<URLSearchParams> {
  const target = new URL(redirectUri);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new OAuthCallbackError(
      `--redirect-uri must be a loopback address (http://127.0.0.1:PORT/...) for the command line; got ${redirectUri}`,
    );
  }
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (url.pathname !== target.pathname) {
        res.writeHead(404).end('not the OAuth callback');
        return;
      }
      const params = url.searchParams;
      const fail = params.get('error');
      const ok = !fail && params.get('state') === expectedState && !!params.get('code');
      res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        ok
          ? 'ledgerbridge is connected. You can close this window.'
          : 'ledgerbridge could not complete the sign-in; see the terminal.',
      );
      clearTimeout(timer);
      server.close();
      if (fail)
        reject(
          new OAuthCallbackError(
            `the sign-in was refused: ${fail}${params.get('error_description') ? ` (${params.get('error_description')})` : ''}`,
          ),
        );
      else if (params.get('state') !== expectedState)
        reject(
          new OAuthCallbackError(
            'the OAuth state did not match: the callback is not the answer to this sign-in',
          ),
        );
      else if (!params.get('code'))
        reject(new OAuthCallbackError('the OAuth callback carried no authorization code'));
      else resolve(params);
    });
    const timer = setTimeout(() => {
      server.close();
      reject(new OAuthCallbackError(`no OAuth callback within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(new OAuthCallbackError(`cannot listen on ${target.host} for the OAuth callback: ${e.message}`));
    });
    server.listen(Number(target.port || 80), target.hostname.replace(/^\[|\]$/g, ''));
  });
}
