import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

/** What a Twilio channel needs: the account, its auth token (kept sealed at rest) and the sender. */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** The sender: an E.164 number or a Messaging Service SID (`MG…`). */
  from: string;
}

/** A Twilio HTTP client whose requests go to `baseUrl` instead of Twilio's hosts (a local test server, a proxy). */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 10_000 });
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const original = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: new URL(`${original.pathname}${original.search}`, this.baseUrl).href });
  }
}

/**
 * Sends an SMS or a WhatsApp message with the official Twilio client; `whatsapp` prefixes both numbers with
 * `whatsapp:` as Twilio expects. Returns Twilio's message SID.
 */
export async function sendWithTwilio(
  credentials: TwilioCredentials,
  message: { to: string; text: string; whatsapp: boolean },
  baseUrl: string | undefined,
): Promise<string> {
  const client = twilio(credentials.accountSid, credentials.authToken, baseUrl ? { httpClient: new BaseUrlRequestClient(baseUrl) } : {});
  const address = (number: string) => (message.whatsapp && !number.startsWith('whatsapp:') ? `whatsapp:${number}` : number);
  const from = credentials.from.startsWith('MG') ? { messagingServiceSid: credentials.from } : { from: address(credentials.from) };
  const sent = await client.messages.create({ to: address(message.to), body: message.text, ...from });
  return sent.sid;
}
