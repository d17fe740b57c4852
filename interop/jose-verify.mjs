// Verifies a JWT the way a third-party consumer would, with jose.
//
//   node jose-verify.mjs <jwt> <jwks-url> <issuer> <audience>
//
// Fetches the JWKS, picks the key by the token's kid, allows only the algorithm that key
// declares, and checks the signature, exp, iss and aud. On success prints the payload as one
// JSON line on stdout and exits 0; otherwise prints the error on stderr and exits 1.

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";

const [token, jwksURL, issuer, audience] = process.argv.slice(2);
if (!token || !jwksURL || !issuer || !audience) {
  process.stderr.write("usage: node jose-verify.mjs <jwt> <jwks-url> <issuer> <audience>\n");
  process.exit(2);
}

try {
  const jwks = createRemoteJWKSet(new URL(jwksURL));
  // "algorithms from the key": find the JWK the token names and accept only its alg.
  const header = decodeProtectedHeader(token);
  const res = await fetch(jwksURL);
  if (!res.ok) throw new Error(`GET ${jwksURL}: HTTP ${res.status}`);
  const { keys = [] } = await res.json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key with kid ${JSON.stringify(header.kid)} in ${jwksURL}`);
  if (!jwk.alg) throw new Error(`the key ${jwk.kid} declares no alg`);

  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer,
    audience,
    algorithms: [jwk.alg],
    requiredClaims: ["sub", "exp", "iat"],
  });
  if (protectedHeader.alg !== jwk.alg) throw new Error(`alg ${protectedHeader.alg} is not the key's ${jwk.alg}`);
  process.stdout.write(JSON.stringify(payload) + "\n");
  process.exit(0);
} catch (err) {
  process.stderr.write(`jose-verify: ${err?.code ? err.code + ": " : ""}${err?.message || err}\n`);
  process.exit(1);
}
