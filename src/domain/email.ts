// Outgoing e-mail (password recovery) through the SMTP server of SERVICE_EMAIL_* (cornflow-platform.md §7.7).
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { ConfigurationError, InvalidData } from './errors.js';

export const EMAIL_NOT_CONFIGURED = "This functionality is not available. Check that cornflow's email is correctly configured";
export const EMAIL_PROVIDER_ERROR = 'There is an error with the email provider. Please contact administration';

export interface EmailSettings {
  address: string;
  password: string;
  server: string;
  port: number;
}

/** The complete settings, or cornflow's 501 when any of them is missing. */
export function emailSettings(config: Config): EmailSettings {
  const { address, password, server, port } = config.email;
  if (!address || !password || !server || port === undefined) throw new ConfigurationError(EMAIL_NOT_CONFIGURED);
  return { address, password, server, port };
}

function recoveryHtml(serviceName: string, password: string): string {
  return `
    <html>
        <body>
            <p>
                <p> Hi, </p>
                Here is your temporary password to access ${serviceName}: <big><b>${password}</b></big>.<br>
                You can use it to login and then change your password. Please change your password as soon as you can.
                Your older password has been disabled.
            </p>
            <p>${serviceName}</p>
        </body>
    </html>
    `;
}

/**
 * Sends the temporary password. cornflow always uses implicit TLS (SMTP_SSL); here port 465 uses implicit
 * TLS and any other port plain SMTP, upgraded with STARTTLS when the server offers it (so a loopback
 * relay or test listener works). Any SMTP failure is cornflow's 400 "error with the email provider".
 */
export async function sendPasswordRecovery(settings: EmailSettings, serviceName: string, receiver: string, password: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: settings.server,
    port: settings.port,
    secure: settings.port === 465,
    auth: { user: settings.address, pass: settings.password },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({
      from: settings.address,
      to: receiver,
      subject: `${serviceName} - Temporary password`,
      html: recoveryHtml(serviceName, password),
      // The HTML is sent as base64 so the password survives any line-length limit intact.
      textEncoding: 'base64',
    });
  } catch {
    throw new InvalidData(EMAIL_PROVIDER_ERROR);
  } finally {
    transport.close();
  }
}
