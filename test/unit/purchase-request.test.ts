import { InvalidInputError } from '../../lambda/checkout/model/errors.js';
import { parsePurchaseRequest } from '../../lambda/checkout/model/purchase-request.js';

const glaseSample = {
  purchaseToken: '29834231890234',
  clientName: 'John Smith',
  street: 'Streetname 1',
  city: 'Stockholm',
  country: 'Sweden',
  state: '',
  zip: '11122',
  email: 'very.happy@shopping.com',
  msisdn: '483344323423',
};

function fieldsOf(body: unknown): string[] {
  try {
    parsePurchaseRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).issues.map((issue) => issue.field);
  }
  throw new Error('expected the body to be refused');
}

describe('createPurchase body validation', () => {
  it("accepts Glase's own sample unchanged", () => {
    expect(parsePurchaseRequest(glaseSample)).toEqual(glaseSample);
  });

  it('accepts the documented curl, which omits msisdn, and normalises it to empty', () => {
    const { msisdn: _omitted, ...curlBody } = glaseSample;
    expect(parsePurchaseRequest(curlBody).msisdn).toBe('');
  });

  it('treats missing or null state and msisdn as empty', () => {
    const { state: _s, ...noState } = glaseSample;
    expect(parsePurchaseRequest(noState).state).toBe('');
    expect(parsePurchaseRequest({ ...glaseSample, msisdn: null }).msisdn).toBe('');
  });

  it('trims fields and drops unknown ones', () => {
    const parsed = parsePurchaseRequest({ ...glaseSample, clientName: '  John Smith ', isAdmin: true });
    expect(parsed.clientName).toBe('John Smith');
    expect(parsed).not.toHaveProperty('isAdmin');
  });

  it.each(['clientName', 'street', 'city', 'country', 'zip', 'email', 'purchaseToken'])(
    'names %s when it is missing',
    (field) => {
      const body: Record<string, unknown> = { ...glaseSample };
      delete body[field];
      expect(fieldsOf(body)).toEqual([field]);
    },
  );

  it('names every wrong field at once', () => {
    expect(
      fieldsOf({
        ...glaseSample,
        purchaseToken: 'has space',
        email: 'not-an-email',
        zip: 11122,
        clientName: '   ',
      }),
    ).toEqual(['purchaseToken', 'clientName', 'zip', 'email']);
  });

  it.each([
    ['purchaseToken', 'x'.repeat(65)],
    ['purchaseToken', 'ab/cd'],
    ['purchaseToken', ''],
    ['clientName', 'x'.repeat(101)],
    ['clientName', 'John\u0000Smith'],
    ['street', 'line\nbreak'],
    ['msisdn', 'call me'],
    ['email', 'a@'],
    ['state', 42],
  ])('refuses %s = %p', (field, value) => {
    expect(fieldsOf({ ...glaseSample, [field]: value })).toEqual([field]);
  });

  it.each([null, [], 'text', 42])('refuses a body that is not an object: %p', (body) => {
    expect(fieldsOf(body)).toEqual(['body']);
  });

  it('keeps unicode names intact', () => {
    expect(parsePurchaseRequest({ ...glaseSample, clientName: 'Åsa Öberg-Ñúñez 李' }).clientName).toBe(
      'Åsa Öberg-Ñúñez 李',
    );
  });
});

describe('characters no address or name needs are refused, naming the field', () => {
  it.each([
    ['a control character', '\u0007'],
    ['a right-to-left override', '\u202E'],
    ['a zero-width space', '\u200B'],
    ['a zero-width joiner', '\u200D'],
    ['a byte order mark', '\uFEFF'],
    ['a line separator', '\u2028'],
    ['a paragraph separator', '\u2029'],
    ['a lone surrogate', '\uD800'],
    ['the non-character U+FFFF', '\uFFFF'],
    ['the non-character U+FFFE', '\uFFFE'],
    ['a non-character of U+FDD0–FDEF', '\uFDD5'],
    ['a plane-end non-character (U+1FFFF)', '\u{1FFFF}'],
    ['the last code point, U+10FFFF', '\u{10FFFF}'],
    ['a private-use character (U+E000)', '\uE000'],
    ['a supplementary private-use character (U+F0000)', '\u{F0000}'],
    ['the Hangul filler U+3164, which looks blank', '\u3164'],
    ['the Hangul choseong filler U+115F', '\u115F'],
    ['the Hangul jungseong filler U+1160', '\u1160'],
    ['the halfwidth Hangul filler U+FFA0', '\uFFA0'],
    ['the blank Braille pattern U+2800', '\u2800'],
  ])('%s', (_name, character) => {
    for (const field of ['clientName', 'street', 'city', 'country', 'zip', 'state', 'msisdn']) {
      const value = field === 'msisdn' ? `4833${character}4432` : `Ann${character}a`;
      expect([field, [...new Set(fieldsOf({ ...glaseSample, [field]: value }))]]).toEqual([field, [field]]);
    }
  });

  it('a name made only of blank-looking fillers is refused, not taken for a name', () => {
    expect(fieldsOf({ ...glaseSample, clientName: '\u3164\u3164' })).toEqual(['clientName']);
    expect(fieldsOf({ ...glaseSample, clientName: '\u2800' })).toEqual(['clientName']);
  });

  it('still takes names in any script, with their accents', () => {
    const names = ['Åsa Öberg', 'Jürgen Müller', 'Søren Kierkegaard', 'Zoë', '李小龍', 'محمد', 'Ирина'];
    for (const clientName of names)
      expect(parsePurchaseRequest({ ...glaseSample, clientName }).clientName).toBe(clientName);
  });
});
