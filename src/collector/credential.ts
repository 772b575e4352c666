// The collector's Entra ID credential, built with @azure/identity from the configuration: a client secret
// (ClientSecretCredential), a PEM certificate (ClientCertificateCredential, which signs the client assertion), or
// the Function App's user-assigned managed identity as a federated identity credential of the app registration
// (ClientAssertionCredential whose assertion is the managed identity's token for the cloud's token-exchange audience).
// The libraries cache tokens and renew them before they expire.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { SETTINGS } from '../names.js';
import type { CollectorConfig } from './config.js';
import { CollectorConfigError } from './errors.js';

const CERTIFICATE = SETTINGS.o365ClientCertificate;

/**
 * Pipeline options passed to every credential (retries; in tests, the TLS trust of a local authority).
 * authorityHost and instance discovery come from the configuration.
 */
export type CredentialPipelineOptions = Omit<TokenCredentialOptions, 'authorityHost'>;

/**
 * Checks that PEM text holds a certificate and the unencrypted RSA private key of its first certificate (the one
 * whose thumbprint identifies it to Entra ID), so that a wrong value is a configuration error that says what to store.
 */
export function checkCertificatePem(pem: string): void {
  const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyBlock =
    /-----BEGIN (?:RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |ENCRYPTED )?PRIVATE KEY-----/.exec(
      pem,
    )?.[0];
  if (!certificateBlock || !keyBlock) {
    throw new CollectorConfigError(`${CERTIFICATE} must hold a PEM certificate and its PEM private key`);
  }
  if (keyBlock.includes('ENCRYPTED')) {
    throw new CollectorConfigError(
      `${CERTIFICATE} holds an encrypted private key: store the key unencrypted in Key Vault (the vault protects it)`,
    );
  }
  let key: KeyObject;
  let certificate: X509Certificate;
  try {
    key = createPrivateKey(keyBlock);
    certificate = new X509Certificate(certificateBlock);
  } catch {
    throw new CollectorConfigError(`${CERTIFICATE} could not be read: the PEM certificate or private key is damaged`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CollectorConfigError(
      `${CERTIFICATE} holds a ${key.asymmetricKeyType ?? 'non-RSA'} key; Entra ID client assertions need an RSA key`,
    );
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new CollectorConfigError(`${CERTIFICATE}: the private key does not belong to the (first) certificate`);
  }
}

/** A new credential for the configuration (a new one starts with an empty token cache). */
export function createCollectorCredential(
  config: CollectorConfig,
  pipeline: CredentialPipelineOptions = {},
): TokenCredential {
  const options = {
    ...pipeline,
    authorityHost: config.loginBaseUrl,
    // The clouds' own hosts are known to MSAL; any other authority (a test server) is used as given.
    disableInstanceDiscovery: !config.knownAuthority,
  };
  const credential = config.credential;
  switch (credential.kind) {
    case 'secret':
      return new ClientSecretCredential(config.tenantId, config.clientId, credential.secret, options);
    case 'certificate':
      checkCertificatePem(credential.pem);
      return new ClientCertificateCredential(
        config.tenantId,
        config.clientId,
        { certificate: credential.pem },
        options,
      );
    case 'managedIdentity': {
      // The managed identity's token (audience api://AzureADTokenExchange or the cloud's equivalent) is the client
      // assertion; the managed identity endpoint is the platform's (IDENTITY_ENDPOINT/IDENTITY_HEADER on App Service).
      const identity = new ManagedIdentityCredential({ ...pipeline, clientId: credential.identityClientId });
      const assertion = async (): Promise<string> => (await identity.getToken(config.tokenExchangeScope)).token;
      return new ClientAssertionCredential(config.tenantId, config.clientId, assertion, options);
    }
  }
}
