// Client certificates for the test cluster, as kind, k3s, minikube and kubeadm kubeconfigs authenticate: a CA
// the API server trusts (--client-ca-file) and a certificate it signed for a member of system:masters.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

const DAY_MS = 86_400_000;

export interface ClientCertificates {
  /** PEM of the CA the API server trusts for client certificates. */
  caPem: string;
  /** PEM of a client certificate for CN=<user>, O=system:masters, and of its key. */
  certPem: string;
  keyPem: string;
}

/** An RSA key pair made by Node.js (fast), in node-forge's form. */
function keyPair(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

function certificate(
  serial: string,
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  publicKey: forge.pki.PublicKey,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial;
  cert.publicKey = publicKey;
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  return cert;
}

export function clientCertificates(user: string): ClientCertificates {
  const caKeys = keyPair();
  const caName = [{ name: 'commonName', value: 'flux-ops-mcp test client CA' }];
  const ca = certificate('01', caName, caName, caKeys.publicKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = keyPair();
  const subject = [
    { name: 'commonName', value: user },
    { name: 'organizationName', value: 'system:masters' },
  ];
  const cert = certificate('02', subject, caName, keys.publicKey, [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: keys.pem,
  };
}
