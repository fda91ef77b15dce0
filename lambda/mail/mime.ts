import type { Mail } from '../checkout/model/mail.js';

/**
 * A mail as an RFC 5322 message (what an `.eml` file holds): UTF-8 throughout, headers with
 * non-ASCII text as RFC 2047 encoded-words, the body as multipart/alternative with the plain
 * text first and the HTML second, each base64 in 76-character lines. Any mail client opens it.
 */
export function toMime(mail: Mail, options: { readonly date: Date; readonly messageId: string }): string {
  const boundary = `=_glase_${options.messageId.replace(/[^A-Za-z0-9]/g, '')}`;
  const part = (type: string, content: string) =>
    [
      `--${boundary}`,
      `Content-Type: ${type}; charset=UTF-8`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(content),
    ].join('\r\n');
  return [
    `From: ${mail.from}`,
    `To: ${mailbox(mail.to.name, mail.to.address)}`,
    `Subject: ${headerText(mail.subject)}`,
    `Date: ${options.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${options.messageId}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    part('text/plain', mail.text),
    part('text/html', mail.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** Printable ASCII: what a header may hold as it is. */
const PLAIN = /^[\x20-\x7e]*$/;

/** `Name <address>`: the name quoted when plain ASCII, an encoded-word when not. */
export function mailbox(name: string, address: string): string {
  const clean = name.replace(/[\r\n]+/g, ' ').trim();
  if (!clean) return `<${address}>`;
  const ascii = PLAIN.test(clean);
  const shown = ascii ? `"${clean.replace(/(["\\])/g, '\\$1')}"` : encodedWord(clean);
  return `${shown} <${address}>`;
}

/** A header's text: as it is when printable ASCII, else RFC 2047 encoded-words. */
export function headerText(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  return PLAIN.test(clean) ? clean : encodedWord(clean);
}

/**
 * `=?UTF-8?B?…?=` words of at most 75 characters each (RFC 2047), split between characters,
 * never inside one: a split UTF-8 sequence would show as garbage.
 */
function encodedWord(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

function base64Lines(content: string): string {
  return (
    Buffer.from(content, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}
