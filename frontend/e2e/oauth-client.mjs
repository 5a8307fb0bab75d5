// A small atproto OAuth client for the browser test, with node's crypto
// only: PKCE S256, pushed authorization requests, DPoP proofs (ES256) with
// server nonces, the code exchange and DPoP-bound XRPC calls. It uses the
// "http://localhost" development client_id, so no metadata document is
// served; its redirect URI is a loopback listener that records the
// authorization response the browser is sent to.

import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (s) => createHash('sha256').update(s).digest();

export class OAuthClient {
  /**
   * @param {string} issuer the PDS's public URL (its authorization server)
   * @param {string} redirectURI a loopback URL (http://127.0.0.1:port/callback)
   * @param {string} scope the scopes the client declares and asks for
   */
  constructor(issuer, redirectURI, scope) {
    this.issuer = issuer.replace(/\/$/, '');
    this.redirectURI = redirectURI;
    this.scope = scope;
    this.clientID = `http://localhost?redirect_uri=${encodeURIComponent(redirectURI)}&scope=${encodeURIComponent(scope)}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    this.jwk = { kty, crv, x, y };
    this.nonce = '';
    this.verifier = b64url(randomBytes(32));
    this.state = b64url(randomBytes(16));
  }

  /** proof is a DPoP proof for a request (with ath when an access token goes with it). */
  proof(method, url, accessToken) {
    const u = new URL(url);
    const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: this.jwk };
    const claims = { jti: randomUUID(), htm: method, htu: u.origin + u.pathname, iat: Math.floor(Date.now() / 1000) };
    if (this.nonce) claims.nonce = this.nonce;
    if (accessToken) claims.ath = b64url(sha256(accessToken));
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(sig)}`;
  }

  /**
   * send makes a request with a fresh DPoP proof, once more with the
   * server's nonce when it asks for one (use_dpop_nonce, as a body error at
   * the authorization server or a WWW-Authenticate challenge at XRPC).
   */
  async send(method, url, { headers = {}, body, accessToken } = {}) {
    for (let attempt = 0; ; attempt++) {
      const h = { ...headers, DPoP: this.proof(method, url, accessToken) };
      if (accessToken) h.Authorization = `DPoP ${accessToken}`;
      const res = await fetch(url, { method, headers: h, body });
      const nonce = res.headers.get('DPoP-Nonce');
      const nonceChanged = nonce && nonce !== this.nonce;
      if (nonce) this.nonce = nonce;
      if (attempt === 0 && nonceChanged && (res.status === 400 || res.status === 401)) {
        const text = await res.clone().text();
        if (text.includes('use_dpop_nonce') || (res.headers.get('WWW-Authenticate') ?? '').includes('use_dpop_nonce')) continue;
      }
      return res;
    }
  }

  /**
   * par pushes the authorization request (with login_hint when given) and
   * returns the authorize page's URL.
   */
  async par({ loginHint } = {}) {
    const form = new URLSearchParams({
      client_id: this.clientID,
      response_type: 'code',
      redirect_uri: this.redirectURI,
      scope: this.scope,
      state: this.state,
      code_challenge: b64url(sha256(this.verifier)),
      code_challenge_method: 'S256',
    });
    if (loginHint) form.set('login_hint', loginHint);
    const res = await this.send('POST', `${this.issuer}/oauth/par`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`PAR answered ${res.status}: ${JSON.stringify(body)}`);
    const u = new URL(`${this.issuer}/oauth/authorize`);
    u.searchParams.set('client_id', this.clientID);
    u.searchParams.set('request_uri', body.request_uri);
    return u.toString();
  }

  /** token exchanges the authorization code; returns the status and the JSON body. */
  async token(code) {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.redirectURI,
      code_verifier: this.verifier,
      client_id: this.clientID,
    });
    const res = await this.send('POST', `${this.issuer}/oauth/token`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return { status: res.status, body: await res.json() };
  }

  /** xrpc calls a method with the DPoP-bound access token. */
  async xrpc(accessToken, nsid, { method = 'POST', body, contentType = 'application/json' } = {}) {
    return this.send(method, `${this.issuer}/xrpc/${nsid}`, {
      headers: body === undefined ? {} : { 'Content-Type': contentType },
      body,
      accessToken,
    });
  }
}

/** claims decodes a JWT's payload (no check: the server that issued it checks it). */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

/**
 * startCallback listens on a loopback port for the authorization response
 * and resolves .response with its query parameters when the browser
 * arrives.
 */
export async function startCallback() {
  let resolve;
  const response = new Promise((r) => (resolve = r));
  const server = createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    if (u.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Signed in</title><h1>Back in the app</h1><p>You can close this page.</p>');
    resolve(Object.fromEntries(u.searchParams));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { uri: `http://127.0.0.1:${port}/callback`, response, close: () => new Promise((r) => server.close(r)) };
}
