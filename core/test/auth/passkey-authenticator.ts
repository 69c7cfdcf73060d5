import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for API tests, written from the spec (WebAuthn Level 2, §6.1 and §6.5), not
 * from the server library: one ES256 (P-256) credential, attestation `none`, a signature counter it keeps, and
 * knobs to answer as a wrong origin, a wrong RP ID, without user verification or with a counter of its choosing
 * (a cloned authenticator).
 */
export class SoftAuthenticator {
  readonly credentialId = randomBytes(16).toString('base64url');
  counter = 0;
  /** The user handle it was registered with (the server's `user.id`), answered in assertions. */
  userHandle: string | undefined;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  /** The answer of `navigator.credentials.create(options)` as JSON (RegistrationResponseJSON). */
  register(options: CreationOptionsJson, as: Answering): RegistrationJson {
    this.userHandle = options.user.id;
    const jwk = this.publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    const credentialId = Buffer.from(this.credentialId, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      this.header(as.rpId ?? options.rp.id, flags({ ...as, attested: true }), this.counter),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const clientData = clientDataOf('webauthn.create', options.challenge, as.origin);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: clientData.toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** The answer of `navigator.credentials.get(options)` as JSON (AuthenticationResponseJSON); the counter grows by one unless `counter` is given. */
  assert(options: RequestOptionsJson, as: Answering & { counter?: number }): AssertionJson {
    this.counter = as.counter ?? this.counter + 1;
    const authData = this.header(as.rpId ?? options.rpId!, flags(as), this.counter);
    const clientData = clientDataOf('webauthn.get', options.challenge, as.origin);
    const signed = Buffer.concat([authData, createHash('sha256').update(clientData).digest()]);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: sign('sha256', signed, this.privateKey).toString('base64url'),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
    };
  }

  private header(rpId: string, flagByte: number, counter: number): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flagByte]), count]);
  }
}

/** Where and how the authenticator answers: the page's origin, the RP ID it signs for (default: the options'), user verification. */
export interface Answering {
  origin: string;
  rpId?: string;
  userVerified?: boolean;
}

function flags(as: Answering & { attested?: boolean }): number {
  const userPresent = 0x01;
  const userVerified = 0x04;
  const attestedData = 0x40;
  return userPresent | (as.userVerified === false ? 0 : userVerified) | (as.attested ? attestedData : 0);
}

function clientDataOf(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

export interface CreationOptionsJson {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
}

export interface RequestOptionsJson {
  challenge: string;
  rpId?: string;
}

export interface RegistrationJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, never>;
}

export interface AssertionJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  clientExtensionResults: Record<string, never>;
}
