// The Compose stack's two doors, as a browser meets them: over HTTPS (NGINX ends TLS with the
// certificate from the secrets tool) the identity cookie is __Host- and Secure and HSTS is sent;
// over plain HTTP the cookie is a plain one and there is no HSTS. On each, the cookie brings the
// same student back. The self-signed certificate is trusted as its own authority, not ignored.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(url: string, ca: string, cookie?: string): Promise<Answer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      { ca, headers: cookie ? { cookie } : {}, agent: false, timeout: 15_000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

async function oneScheme(base: string, ca: string, secure: boolean): Promise<void> {
  const page = await get(`${base}/`, ca);
  if (page.status !== 200) throw new Error(`GET ${base}/ answered ${page.status}`);
  const hsts = page.headers['strict-transport-security'];
  if (secure !== Boolean(hsts))
    throw new Error(`GET ${base}/: HSTS ${hsts ? 'sent' : 'missing'} (${hsts ?? ''})`);

  const first = await get(`${base}/api/me`, ca);
  if (first.status !== 200)
    throw new Error(`GET ${base}/api/me answered ${first.status}: ${first.body.slice(0, 200)}`);
  const cookie = (first.headers['set-cookie'] ?? []).join('\n');
  const expected = secure ? /^__Host-koodi_id=[^;]+;.*; Secure/ : /^koodi_id=[^;]+;/;
  if (!expected.test(cookie) || (!secure && /Secure/.test(cookie))) {
    throw new Error(`GET ${base}/api/me set the wrong identity cookie: ${cookie || '(none)'}`);
  }
  const again = await get(`${base}/api/me`, ca, cookie.split(';')[0]);
  const userId = (body: string) => (JSON.parse(body) as { userId: string }).userId;
  if (again.status !== 200 || userId(again.body) !== userId(first.body)) {
    throw new Error(`${base}: the cookie did not bring the same student back (${again.status})`);
  }
}

/** Both schemes of a running stack; returns a line for the stage table. */
export async function checkSchemes(
  httpBase: string,
  httpsBase: string,
  caPem: string,
): Promise<string> {
  await oneScheme(httpsBase, caPem, true);
  await oneScheme(httpBase, caPem, false);
  return 'https: __Host- Secure cookie + HSTS; http: plain cookie, no HSTS; same student on each';
}
