// An RP's protocol key for openid-client: a PEM private key (PKCS#8, SEC1 or
// PKCS#1, as oidfed keygen writes) as a WebCrypto key with its JWS
// algorithm (ES256 / ES384 / ES512 by curve, PS256 for RSA unless `alg`
// says RS*, EdDSA for Ed25519).
import crypto from 'node:crypto';
import fs from 'node:fs';

export async function readSigningKey(file, alg) {
  const keyObject = crypto.createPrivateKey(fs.readFileSync(file));
  const pkcs8 = keyObject.export({ format: 'der', type: 'pkcs8' });
  let algorithm;
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = keyObject.asymmetricKeyDetails.namedCurve;
    const byCurve = { prime256v1: ['P-256', 'ES256'], secp384r1: ['P-384', 'ES384'], secp521r1: ['P-521', 'ES512'] };
    if (!byCurve[curve]) throw new Error(`unsupported curve ${curve}`);
    algorithm = { name: 'ECDSA', namedCurve: byCurve[curve][0] };
    alg ??= byCurve[curve][1];
  } else if (keyObject.asymmetricKeyType === 'rsa') {
    alg ??= 'PS256';
    const bits = alg.slice(2);
    algorithm = alg.startsWith('PS') ? { name: 'RSA-PSS', hash: `SHA-${bits}` } : { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` };
  } else if (keyObject.asymmetricKeyType === 'ed25519') {
    algorithm = { name: 'Ed25519' };
    alg ??= 'EdDSA';
  } else {
    throw new Error(`unsupported key type ${keyObject.asymmetricKeyType}`);
  }
  const key = await crypto.webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  return { key, alg };
}
