// A real SMTP listener on loopback (smtp-server) that keeps every message it receives.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
  /** The decoded text of the body parts (base64 and quoted-printable undone). */
  text: string;
  subject: string;
}

function decodeParts(raw: string): string {
  const out: string[] = [];
  // Each MIME part: headers, blank line, body. Works for single-part and multipart messages.
  const chunks = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const chunk of chunks) {
    const split = chunk.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const headers = chunk.slice(0, split);
    const body = chunk.slice(split).trim();
    if (/content-transfer-encoding:\s*base64/i.test(headers)) out.push(Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8'));
    else if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
      out.push(Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
    } else out.push(body);
  }
  return out.join('\n');
}

export class SmtpListener {
  readonly messages: CapturedMail[] = [];
  readonly logins: { username: string; password: string }[] = [];
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      // Plain SMTP on loopback: no STARTTLS offered, so the client sends AUTH in the clear.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _session, callback) => {
        this.logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
        callback(null, { user: auth.username });
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const subject = /^subject:\s*(.*)$/im.exec(raw)?.[1] ?? '';
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            text: decodeParts(raw),
            subject,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
