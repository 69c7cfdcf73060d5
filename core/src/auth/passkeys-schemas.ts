import { Type } from '@sinclair/typebox';
import { Exact, Nullable, Timestamp, Uuid } from '../http/response-schemas.js';

/** Base64url text (WebAuthn's binary fields as JSON carries them), at most `maxLength` characters. */
const Base64Url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$' });

const Transports = Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 });
const Attachment = Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]);
const ExtensionResults = Type.Object({}, { description: 'The client extension results, as the browser gives them' });

/** What `navigator.credentials.create()` answered (`RegistrationResponseJSON`, as @simplewebauthn/browser's `startRegistration` returns it). */
export const RegistrationResponse = Type.Object(
  {
    id: Base64Url(1400),
    rawId: Base64Url(1400),
    type: Type.Literal('public-key'),
    response: Type.Object({
      clientDataJSON: Base64Url(4096),
      attestationObject: Base64Url(32_768),
      authenticatorData: Type.Optional(Base64Url(32_768)),
      transports: Type.Optional(Transports),
      publicKeyAlgorithm: Type.Optional(Type.Integer()),
      publicKey: Type.Optional(Base64Url(4096)),
    }),
    authenticatorAttachment: Type.Optional(Attachment),
    clientExtensionResults: ExtensionResults,
  },
  { description: 'The registration response of the browser (`startRegistration` of @simplewebauthn/browser)' },
);

/** What `navigator.credentials.get()` answered (`AuthenticationResponseJSON`, as `startAuthentication` returns it). */
export const AuthenticationResponse = Type.Object(
  {
    id: Base64Url(1400),
    rawId: Base64Url(1400),
    type: Type.Literal('public-key'),
    response: Type.Object({
      clientDataJSON: Base64Url(4096),
      authenticatorData: Base64Url(32_768),
      signature: Base64Url(4096),
      userHandle: Type.Optional(Base64Url(256)),
    }),
    authenticatorAttachment: Type.Optional(Attachment),
    clientExtensionResults: ExtensionResults,
  },
  { description: 'The assertion of the browser (`startAuthentication` of @simplewebauthn/browser)' },
);

/** A passkey of the signed-in user as the API shows it (never its key or counter). */
export const Passkey = Exact({
  id: Uuid,
  name: Type.String(),
  device_type: Type.Union([Type.Literal('singleDevice'), Type.Literal('multiDevice')], {
    description: 'multiDevice: a synced passkey (a password manager, a phone’s keychain); singleDevice: bound to one authenticator',
  }),
  backed_up: Type.Boolean(),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
});

/** A passkey's name: what the user calls the device it lives on. */
export const PasskeyName = Type.String({ minLength: 1, maxLength: 80 });

const Descriptor = Exact({ id: Type.String(), type: Type.Literal('public-key'), transports: Type.Optional(Transports) });

/** `PublicKeyCredentialCreationOptionsJSON`: hand to `startRegistration({ optionsJSON })`. */
export const CreationOptions = Exact(
  {
    challenge: Type.String(),
    rp: Exact({ name: Type.String(), id: Type.String() }),
    user: Exact({ id: Type.String(), name: Type.String(), displayName: Type.String() }),
    pubKeyCredParams: Type.Array(Exact({ alg: Type.Integer(), type: Type.Literal('public-key') })),
    timeout: Type.Optional(Type.Integer()),
    attestation: Type.Optional(Type.String()),
    excludeCredentials: Type.Optional(Type.Array(Descriptor)),
    authenticatorSelection: Type.Optional(
      Exact({
        residentKey: Type.Optional(Type.String()),
        requireResidentKey: Type.Optional(Type.Boolean()),
        userVerification: Type.Optional(Type.String()),
        authenticatorAttachment: Type.Optional(Type.String()),
      }),
    ),
    extensions: Type.Optional(Type.Object({})),
    hints: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'PublicKeyCredentialCreationOptionsJSON' },
);

/** `PublicKeyCredentialRequestOptionsJSON`: hand to `startAuthentication({ optionsJSON })`. */
export const RequestOptions = Exact(
  {
    challenge: Type.String(),
    rpId: Type.Optional(Type.String()),
    timeout: Type.Optional(Type.Integer()),
    userVerification: Type.Optional(Type.String()),
    allowCredentials: Type.Optional(Type.Array(Descriptor)),
    extensions: Type.Optional(Type.Object({})),
    hints: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'PublicKeyCredentialRequestOptionsJSON' },
);

/** The second factor of a password sign-in: an assertion answering a `second_factor` challenge. */
export const PasskeySecondFactor = Type.Object(
  { challenge_id: Uuid, response: AuthenticationResponse },
  {
    additionalProperties: false,
    description: 'Instead of `otp`: an assertion for a challenge from POST /auth/passkeys/options `{ purpose: "second_factor" }`',
  },
);
