import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsId, isFreeText, IsReference } from './common.js';

class Example {
  @IsId() accountId!: string;
  @IsReference() reference?: string;
}

function check(plain: object): { value: Example; failed: string[] } {
  const value = plainToInstance(Example, plain);
  return { value, failed: validateSync(value).map((e) => e.property) };
}

const ID = '0b6f7a52-5f0e-4a43-9c55-1d2f3a4b5c6d';

describe('free text', () => {
  it.each([
    ['plain ASCII', 'Rent March'],
    ['accents and other scripts', 'Miete für März · 家賃 · аренда'],
    ['emoji (a surrogate pair)', 'pizza 🍕 night'],
    ['the empty string', ''],
  ])('accepts %s', (_case, text) => {
    expect(isFreeText(text)).toBe(true);
    expect(check({ accountId: ID, reference: text }).failed).toEqual([]);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a newline', 'line\nbreak'],
    ['a tab', 'a\tb'],
    ['escape', '\u001b[31mred'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a lone high surrogate', 'a\ud83cb'],
    ['a lone low surrogate', 'a\udf55b'],
    ['a high surrogate at the end', 'pizza \ud83c'],
    ['a pair in the wrong order', '\udf55\ud83c'],
  ])('refuses %s', (_case, text) => {
    expect(isFreeText(text)).toBe(false);
    expect(check({ accountId: ID, reference: text }).failed).toEqual(['reference']);
  });
});

describe('ids', () => {
  it('keeps a UUID of any letter case in lower case', () => {
    const { value, failed } = check({ accountId: ID.toUpperCase() });
    expect(failed).toEqual([]);
    expect(value.accountId).toBe(ID);
  });

  it('still refuses what is not a UUID, whatever its case', () => {
    expect(check({ accountId: `${ID}0`.toUpperCase() }).failed).toEqual(['accountId']);
    expect(check({ accountId: 42 }).failed).toEqual(['accountId']);
  });
});
